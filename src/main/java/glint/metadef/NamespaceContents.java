package glint.metadef;

import java.util.List;

/** What a namespace holds, created with it (POST /v2/metadefs/namespaces) or shown with it. */
public record NamespaceContents(
        List<ResourceTypeAssociation> resourceTypes,
        List<PropertyDefinition> properties,
        List<MetadefObject> objects,
        List<MetadefTag> tags) {

    public NamespaceContents {
        resourceTypes = List.copyOf(resourceTypes);
        properties = List.copyOf(properties);
        objects = List.copyOf(objects);
        tags = List.copyOf(tags);
    }

    public static NamespaceContents empty() {
        return new NamespaceContents(List.of(), List.of(), List.of(), List.of());
    }
}
