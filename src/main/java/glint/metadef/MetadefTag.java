package glint.metadef;

import java.time.Instant;

public record MetadefTag(String name, Instant createdAt, Instant updatedAt) {}
