package glint.db;

import glint.image.Image;
import glint.image.ImageQuery;
import glint.image.ImageQuery.SortKey;
import glint.image.ImageQuery.TimeFilter;
import glint.image.ImageRepository.Viewer;
import glint.image.ImageStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The SQL of one {@code GET /v2/images} page. Visibility follows Glance's {@code _select_images_query} and
 * {@code image_get_all} (glance/db/sqlalchemy/api.py); paging is keyset-based: the page after a marker is
 * {@code (k1 > m1) OR (k1 = m1 AND k2 > m2) …} over the sort keys, so its cost does not depend on its depth and
 * rows inserted meanwhile cause neither duplicates nor gaps. Nullable sort keys order as Glint always has on all
 * three databases — NULL equal to {@code ''} (size: -1) — through the generated columns {@code sort_name},
 * {@code sort_container_format}, {@code sort_disk_format} and {@code sort_size} (migration V11), so that no sort key
 * is wrapped in a function and each has an index {@code (deleted, os_hidden, key, created_at, id)} that the page
 * is read from, in order, without sorting the table.
 *
 * <p>When every key has the same direction (always the case with one {@code sort_dir} or none, as Glance applies it
 * to the tie-breakers too) the page after a marker is one row-value comparison {@code (k1, k2, …) > (m1, m2, …)}: a
 * range of the index for SQLite's and PostgreSQL's planners. With mixed directions it is the OR of Glance's
 * {@code _paginate_query}, with the first key's bound alone beside it ({@code k1 >= m1}) for those planners to range
 * on. MariaDB's planner cannot range on a row value, and a bound on the first key alone starts the range at the
 * marker's first key, which for a key of few values ({@code status}) is most of the table; so there it is always
 * Glance's OR, which MariaDB turns into ranges of the index that start exactly at the marker.
 *
 * <p>{@link #params} are {@link RowSql}'s.
 */
record ImageListSql(String sql, List<Object> params) {
    private static final Map<String, String> SORT_EXPRESSIONS = Map.of(
            "name", "i.sort_name",
            "status", "i.status",
            "container_format", "i.sort_container_format",
            "disk_format", "i.sort_disk_format",
            "size", "i.sort_size",
            "id", "i.id",
            "created_at", "i.created_at",
            "updated_at", "i.updated_at");

    /** The index each sort key's pages are read from (migration V11). */
    private static final Map<String, String> SORT_INDEXES = Map.of(
            "name", "ix_images_list_name",
            "status", "ix_images_list_status",
            "container_format", "ix_images_list_container",
            "disk_format", "ix_images_list_disk",
            "size", "ix_images_list_size",
            "id", "ix_images_list_id",
            "created_at", "ix_images_list_created",
            "updated_at", "ix_images_list_updated");

    private static final Map<String, String> FILTER_COLUMNS = Map.ofEntries(
            Map.entry("name", "i.name"),
            Map.entry("status", "i.status"),
            Map.entry("container_format", "i.container_format"),
            Map.entry("disk_format", "i.disk_format"),
            Map.entry("id", "i.id"),
            Map.entry("owner", "i.owner"),
            Map.entry("checksum", "i.checksum"),
            Map.entry("os_hash_value", "i.os_hash_value"),
            Map.entry("min_ram", "i.min_ram"),
            Map.entry("min_disk", "i.min_disk"),
            Map.entry("size", "i.size"),
            Map.entry("virtual_size", "i.virtual_size"));

    static ImageListSql build(ImageQuery q, Viewer viewer, Optional<Image> marker, Dialect dialect) {
        List<SortKey> sort = throughId(q.sort());
        List<String> where = new ArrayList<>();
        List<Object> params = new ArrayList<>();
        where.add("i.deleted = ?");
        params.add(false);
        // Glance lists with deleted=False, which also leaves out killed images.
        where.add("i.status <> ?");
        params.add(ImageStatus.KILLED.wire());

        if (!viewer.seesAll()) {
            StringBuilder access = new StringBuilder("(i.visibility IN ('public', 'community')");
            if (viewer.projectId().isPresent()) {
                access.append(" OR i.owner = ? OR (i.visibility = 'shared' AND EXISTS (SELECT 1 FROM image_members m "
                        + "WHERE m.image_id = i.id AND m.member = ?");
                params.add(viewer.projectId().get());
                params.add(viewer.projectId().get());
                if (!q.memberStatus().equals("all")) {
                    access.append(" AND m.status = ?");
                    params.add(q.memberStatus());
                }
                access.append("))");
            }
            where.add(access.append(")").toString());
        }
        if (q.visibility().isPresent()) {
            if (!q.visibility().get().equals("all")) {
                where.add("i.visibility = ?");
                params.add(q.visibility().get());
            }
        } else if (viewer.projectId().isPresent()) {
            where.add("(i.owner = ? OR i.visibility <> 'community')");
            params.add(viewer.projectId().get());
        } else {
            where.add("i.visibility <> 'community'");
        }

        q.attributeFilters().forEach((attribute, values) -> {
            String column = FILTER_COLUMNS.get(attribute);
            if (column == null) {
                throw new IllegalArgumentException("not a filterable attribute: " + attribute);
            }
            where.add(column + " IN (" + RowSql.placeholders(values.size()) + ")");
            boolean integer = attribute.equals("min_ram") || attribute.equals("min_disk");
            boolean bigint = attribute.equals("size") || attribute.equals("virtual_size");
            values.forEach(v -> params.add(integer ? (Object) Integer.valueOf(v) : bigint ? (Object) Long.valueOf(v) : v));
        });
        for (String tag : q.tags()) {
            where.add("EXISTS (SELECT 1 FROM image_tags t WHERE t.image_id = i.id AND t.value = ?)");
            params.add(tag);
        }
        q.properties().forEach((name, value) -> {
            where.add("EXISTS (SELECT 1 FROM image_properties p WHERE p.image_id = i.id AND p.name = ? AND p.value = ?)");
            params.add(name);
            params.add(value);
        });
        // A size range is checked on the rows read in sort order (a range of the size index would have every
        // match sorted: 12% of the catalogue for size_min=1MB&size_max=1GB).
        q.sizeMin().ifPresent(v -> {
            where.add("i.size >= ?");
            params.add(v);
        });
        q.sizeMax().ifPresent(v -> {
            where.add("i.size <= ?");
            params.add(v);
        });
        q.isProtected().ifPresent(v -> {
            where.add("i.protected = ?");
            params.add(v);
        });
        where.add("i.os_hidden = ?");
        params.add(q.osHidden());
        for (TimeFilter f : q.timeFilters()) {
            where.add("i." + (f.attribute().equals("created_at") ? "created_at" : "updated_at") + " " + operator(f.op()) + " ?");
            params.add(f.value().toEpochMilli());
        }
        marker.ifPresent(m -> where.add(keyset(sort, m, params, dialect)));

        StringBuilder sql = new StringBuilder("SELECT ").append(JdbcImageRepository.COLUMNS).append(" FROM images i ")
                .append(marker.isPresent() && dialect == Dialect.MARIADB && readInSortOrder(q)
                        ? "FORCE INDEX (" + SORT_INDEXES.get(sort.get(0).attribute()) + ") " : "")
                .append("WHERE ")
                .append(String.join(" AND ", where)).append(" ORDER BY ");
        List<String> order = new ArrayList<>();
        for (SortKey k : sort) {
            order.add(SORT_EXPRESSIONS.get(k.attribute()) + (k.ascending() ? " ASC" : " DESC"));
        }
        sql.append(String.join(", ", order)).append(" LIMIT ?");
        params.add(q.limit());
        return new ImageListSql(sql.toString(), params);
    }

    /**
     * Whether the page is best read along the first sort key's index whatever the catalogue: no filter that another
     * index narrows. MariaDB 10.11, given the page after a deep marker, takes that index by its equal prefix
     * ({@code deleted}, {@code os_hidden}: "ref") and reads it backwards from the end, skipping every row before the
     * marker, rather than as the range that starts at the marker: 2.7 s a page at 100 000 images
     * (docs/benchmarks.md). Naming the index makes it the range.
     */
    private static boolean readInSortOrder(ImageQuery q) {
        return q.attributeFilters().isEmpty() && q.tags().isEmpty() && q.properties().isEmpty()
                && q.sizeMin().isEmpty() && q.sizeMax().isEmpty()
                && q.visibility().map(v -> v.equals("all")).orElse(true);
    }

    /**
     * The sort keys up to {@code id}: ids are unique, so keys after it never decide (Glance appends created_at after
     * {@code sort_key=id}); without them the page is read in the order of the id index.
     */
    private static List<SortKey> throughId(List<SortKey> sort) {
        for (int i = 0; i < sort.size(); i++) {
            if (sort.get(i).attribute().equals("id")) {
                return sort.subList(0, i + 1);
            }
        }
        return sort;
    }

    private static String keyset(List<SortKey> sort, Image marker, List<Object> params, Dialect dialect) {
        SortKey first = sort.get(0);
        boolean oneDirection = sort.stream().allMatch(k -> k.ascending() == first.ascending());
        if (dialect == Dialect.MARIADB) {
            return paginationOr(sort, marker, params);
        }
        if (oneDirection) {
            // SQLite and PostgreSQL range an index on the row value itself (a scalar bound beside it would make
            // SQLite range on the first key alone)
            return rowValue(sort, marker, params);
        }
        // the first key's bound alone: the range the planner can start an index at
        String bound = SORT_EXPRESSIONS.get(first.attribute()) + (first.ascending() ? " >= ?" : " <= ?");
        params.add(sortValue(first.attribute(), marker));
        return bound + " AND " + paginationOr(sort, marker, params);
    }

    /** Glance's {@code _paginate_query}: {@code (k1 > m1) OR (k1 = m1 AND k2 > m2) OR …}, each in its key's direction. */
    private static String paginationOr(List<SortKey> sort, Image marker, List<Object> params) {
        List<String> alternatives = new ArrayList<>();
        for (int i = 0; i < sort.size(); i++) {
            List<String> terms = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                terms.add(SORT_EXPRESSIONS.get(sort.get(j).attribute()) + " = ?");
                params.add(sortValue(sort.get(j).attribute(), marker));
            }
            SortKey k = sort.get(i);
            terms.add(SORT_EXPRESSIONS.get(k.attribute()) + (k.ascending() ? " > ?" : " < ?"));
            params.add(sortValue(k.attribute(), marker));
            alternatives.add("(" + String.join(" AND ", terms) + ")");
        }
        return "(" + String.join(" OR ", alternatives) + ")";
    }

    private static String rowValue(List<SortKey> sort, Image marker, List<Object> params) {
        List<String> columns = new ArrayList<>();
        for (SortKey k : sort) {
            columns.add(SORT_EXPRESSIONS.get(k.attribute()));
            params.add(sortValue(k.attribute(), marker));
        }
        String placeholders = RowSql.placeholders(sort.size());
        return "(" + String.join(", ", columns) + ") " + (sort.get(0).ascending() ? ">" : "<") + " (" + placeholders + ")";
    }

    private static Object sortValue(String attribute, Image m) {
        return switch (attribute) {
            case "name" -> m.name().orElse("");
            case "status" -> m.status().wire();
            case "container_format" -> m.containerFormat().orElse("");
            case "disk_format" -> m.diskFormat().orElse("");
            case "size" -> m.size().orElse(-1L);
            case "id" -> m.id();
            case "created_at" -> m.createdAt().toEpochMilli();
            case "updated_at" -> m.updatedAt().toEpochMilli();
            default -> throw new IllegalArgumentException("not a sort key: " + attribute);
        };
    }

    private static String operator(ImageQuery.Comparison op) {
        return switch (op) {
            case GT -> ">";
            case GTE -> ">=";
            case LT -> "<";
            case LTE -> "<=";
            case EQ -> "=";
            case NEQ -> "<>";
        };
    }
}
