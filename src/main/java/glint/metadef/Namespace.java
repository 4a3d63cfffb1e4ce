package glint.metadef;

import java.time.Instant;
import java.util.Optional;

/** A metadata definition namespace (Glance's metadef_namespaces row); {@code id} is internal, never shown. */
public record Namespace(
        String id,
        String namespace,
        Optional<String> displayName,
        Optional<String> description,
        String visibility,
        boolean isProtected,
        String owner,
        Instant createdAt,
        Instant updatedAt) {

    public boolean isPublic() {
        return "public".equals(visibility);
    }
}
