package glint.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;

/**
 * What a test class checks does not depend on the database: formats, the byte path, stores, HTTP limits, the cache,
 * notifications, Keystone as a client. The test command runs it once, on SQLite; the PostgreSQL and MariaDB runs leave
 * it out ({@code -DexcludedGroups=database-neutral}), which keeps CI well inside its hour. A class whose outcome a
 * dialect could change (lists and filters, concurrent writes, migrations, crash recovery, quotas, purge, the
 * scrubber, identity and policy rows) is not neutral and runs on all three.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@Tag(DatabaseNeutral.TAG)
public @interface DatabaseNeutral {
    String TAG = "database-neutral";
}
