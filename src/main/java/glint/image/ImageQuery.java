package glint.image;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A parsed {@code GET /v2/images} request: filters, sort, page. Validated by the API layer, executed by the repository.
 *
 * @param attributeFilters  exact / {@code in:} matches on name, status, container_format, disk_format, id, owner,
 *                          checksum, os_hash_value (each value list is OR-ed, filters AND-ed)
 * @param visibility        empty = Glance's default (everything visible except others' community images);
 *                          {@code "all"} or a visibility name
 */
public record ImageQuery(
        Map<String, List<String>> attributeFilters,
        List<String> tags,
        Map<String, String> properties,
        Optional<Long> sizeMin,
        Optional<Long> sizeMax,
        Optional<Boolean> isProtected,
        boolean osHidden,
        List<TimeFilter> timeFilters,
        Optional<String> visibility,
        String memberStatus,
        List<SortKey> sort,
        int limit,
        Optional<String> marker) {

    public ImageQuery {
        attributeFilters = Map.copyOf(attributeFilters);
        tags = List.copyOf(tags);
        properties = Map.copyOf(properties);
        timeFilters = List.copyOf(timeFilters);
        sort = List.copyOf(sort);
    }

    /** {@code created_at} / {@code updated_at} compared with Glance's operators. */
    public record TimeFilter(String attribute, Comparison op, Instant value) {}

    public enum Comparison { GT, GTE, LT, LTE, EQ, NEQ }

    /** One sort key; the list always ends with created_at and id (Glance appends them as tie-breakers). */
    public record SortKey(String attribute, boolean ascending) {}
}
