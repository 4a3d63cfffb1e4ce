package glint.metadef;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** A metadef object: a named group of property definitions, some of them required. */
public record MetadefObject(
        String name,
        Optional<String> description,
        Optional<List<String>> required,
        List<PropertyDefinition> properties,
        Instant createdAt,
        Instant updatedAt) {

    public MetadefObject {
        required = required.map(List::copyOf);
        properties = List.copyOf(properties);
    }
}
