package glint.metadef;

import java.util.List;
import java.util.Optional;

/**
 * {@code GET /v2/metadefs/namespaces}: namespaces associated with any of {@code resourceTypes} (empty: all), of one
 * visibility, sorted by {@code sortKey} (then created_at), after the namespace named {@code marker}.
 */
public record NamespaceQuery(
        List<String> resourceTypes,
        Optional<String> visibility,
        int limit,
        Optional<String> marker,
        String sortKey,
        boolean ascending) {

    public static final List<String> SORT_KEYS = List.of("namespace", "display_name", "description", "visibility",
            "protected", "owner", "created_at", "updated_at");

    public NamespaceQuery {
        resourceTypes = List.copyOf(resourceTypes);
    }
}
