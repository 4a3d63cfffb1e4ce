package glint.metadef;

import java.time.Instant;
import java.util.Optional;

/** A namespace applies to a resource type, its property names prefixed with {@code prefix} there. */
public record ResourceTypeAssociation(
        String name,
        Optional<String> prefix,
        Optional<String> propertiesTarget,
        Instant createdAt,
        Instant updatedAt) {}
