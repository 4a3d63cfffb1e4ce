package glint.metadef;

import java.util.Optional;

/**
 * What a client sets on a namespace (create or PUT). Glance fills the gaps the same way on both:
 * visibility {@code private}, protected false, owner the caller's project.
 */
public record NamespaceFields(
        String namespace,
        Optional<String> displayName,
        Optional<String> description,
        Optional<String> visibility,
        Optional<Boolean> isProtected,
        Optional<String> owner) {}
