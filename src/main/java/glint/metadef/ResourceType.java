package glint.metadef;

import java.time.Instant;

/** A resource type (e.g. {@code OS::Glance::Image}); protected ones are Glance's seeded system types. */
public record ResourceType(String name, boolean isProtected, Instant createdAt, Instant updatedAt) {}
