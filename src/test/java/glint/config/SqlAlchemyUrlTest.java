package glint.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.GlintConfig.DatabaseConfig;
import glint.db.Database;
import glint.testing.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code [database] connection} as written in {@code glance-api.conf} (oslo.db's SQLAlchemy URLs) beside JDBC URLs:
 * converted, credentials to the pool, and a Glint that opens and migrates the test database through such a URL.
 */
class SqlAlchemyUrlTest {
    private static DatabaseConfig database(String connection) {
        return ConfigLoader.fromIni(IniFile.parse(List.of("[database]", "connection = " + connection), "test"),
                Map.of("data-dir", "/srv/glint"), Map.of()).database();
    }

    @Test
    void glanceApiConfsMysqlUrlBecomesMariadbsJdbcUrlWithTheCredentialsApart() {
        DatabaseConfig db = database("mysql+pymysql://glance:s%40cret%2Fx@db.example.org/glance?charset=utf8");
        assertThat(db.url()).isEqualTo("jdbc:mariadb://db.example.org:3306/glance");
        assertThat(db.user()).isEqualTo("glance");
        assertThat(db.password()).isEqualTo("s@cret/x");
    }

    @Test
    void postgresqlUrlsWithAndWithoutDriverKeepThePortAndSslmode() {
        DatabaseConfig db = database("postgresql+psycopg2://glance:pw@10.0.0.5:6432/glance?sslmode=require&client_encoding=utf8");
        assertThat(db.url()).isEqualTo("jdbc:postgresql://10.0.0.5:6432/glance?sslmode=require");
        assertThat(db.user()).isEqualTo("glance");
        assertThat(db.password()).isEqualTo("pw");
        assertThat(database("postgresql://glance@localhost/glance").url()).isEqualTo("jdbc:postgresql://localhost:5432/glance");
        assertThat(database("postgresql://glance@localhost/glance").password()).isEmpty();
    }

    @Test
    void sqliteUrlsAreRelativeWithThreeSlashesAndAbsoluteWithFour() {
        assertThat(database("sqlite:////var/lib/glance/glance.sqlite").url()).isEqualTo("jdbc:sqlite:/var/lib/glance/glance.sqlite");
        assertThat(database("sqlite:///glance.sqlite").url()).isEqualTo("jdbc:sqlite:glance.sqlite");
    }

    @Test
    void jdbcUrlsAreKeptAndExplicitUserAndPasswordWin() {
        assertThat(database("jdbc:postgresql://h:5432/g?user=x").url()).isEqualTo("jdbc:postgresql://h:5432/g?user=x");
        DatabaseConfig db = ConfigLoader.fromIni(IniFile.parse(List.of("[database]",
                "connection = mysql+pymysql://glance:old@db/glance", "password = new"), "test"), Map.of(), Map.of()).database();
        assertThat(db.password()).isEqualTo("new");
        assertThat(db.user()).isEqualTo("glance");
    }

    @Test
    void unsupportedOrIncompleteUrlsRefuseToStartWithoutShowingThePassword() {
        assertThatThrownBy(() -> database("oracle://glance:topsecret@db/glance"))
                .hasMessageContaining("unsupported database 'oracle'");
        assertThatThrownBy(() -> database("mysql+pymysql://glance:topsecret@db"))
                .hasMessageContaining("names no database").hasMessageNotContaining("topsecret");
        assertThatThrownBy(() -> database("just words")).hasMessageContaining("SQLAlchemy URL");
    }

    @Test
    void glintOpensAndMigratesTheTestDatabaseThroughItsSqlAlchemyUrl() throws Exception {
        Path dir = Files.createTempDirectory("glint-sqlalchemy-");
        String jdbc = TestDatabases.fresh(dir);
        try {
            String name = jdbc.replaceAll("^.*/([^/?]+)(\\?.*)?$", "$1");
            String sqlalchemy = switch (TestDatabases.selected()) {
                case "postgresql" -> "postgresql+psycopg2://postgres@127.0.0.1:5432/" + name;
                case "mariadb" -> "mysql+pymysql://root@127.0.0.1/" + name + "?charset=utf8";
                default -> "sqlite:///" + jdbc.substring("jdbc:sqlite:".length());
            };
            try (Database db = Database.open(database(sqlalchemy))) {
                db.migrate();
                int leases = db.read(c -> {
                    try (var s = c.createStatement(); var r = s.executeQuery("SELECT COUNT(*) FROM node_leases")) {
                        r.next();
                        return r.getInt(1);
                    }
                });
                assertThat(leases).as("the schema is migrated through the URL").isZero();
            }
        } finally {
            TestDatabases.drop(jdbc);
            glint.testing.TempDirs.delete(dir);
        }
    }
}
