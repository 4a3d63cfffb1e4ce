package glint.db;

import static org.assertj.core.api.Assertions.assertThat;

import glint.api.ListQueryParser;
import glint.bench.CatalogueFill;
import glint.config.ConfigLoader;
import glint.config.IniFile;
import glint.image.Image;
import glint.image.ImageQuery;
import glint.image.ImageRepository.Viewer;
import glint.testing.MigratedDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The query plan of every {@code GET /v2/images} shape on the selected database, asked of the database itself
 * ({@code EXPLAIN QUERY PLAN} on SQLite, {@code EXPLAIN} on PostgreSQL and MariaDB) over a catalogue of 4000 images
 * with current planner statistics: no shape may read the images table (or a tag, property or member table) in full,
 * and only a shape whose filter narrows the rows through an index may sort them — every other page must be read in
 * order from an index, LIMIT rows long. A dropped index or a predicate the planner can no longer use fails here.
 *
 * <p>PostgreSQL chooses a sequential scan for tables this small whatever the indexes, so the test plans with
 * {@code enable_seqscan = off}: the planner still scans in full when no index can serve the query, which is what is
 * tested.
 */
class ListQueryPlanTest {
    private static final int IMAGES = 4000;
    @RegisterExtension
    final MigratedDatabase database = new MigratedDatabase();
    private final ListQueryParser parser = new ListQueryParser(
            ConfigLoader.fromIni(IniFile.parse(List.of(), "t"), Map.of(), Map.of()).images());
    private final Viewer admin = new Viewer(Optional.of("admin-project"), true);
    private final Viewer member = new Viewer(Optional.of("bench-p3"), false);
    private Image middle;

    @BeforeEach
    void fill() {
        JdbcImageRepository repo = new JdbcImageRepository(database.db());
        List<Image> chunk = new ArrayList<>();
        for (int i = 0; i < IMAGES; i++) {
            chunk.add(CatalogueFill.image(i));
            if (chunk.size() == 1000) {
                repo.insertAll(chunk);
                chunk.clear();
            }
        }
        middle = CatalogueFill.image(IMAGES / 2);
        database.db().refreshStatistics();
        database.db().read(c -> {
            try (Statement s = c.createStatement()) {
                switch (database.db().dialect()) {
                    case POSTGRESQL -> s.execute("ANALYZE");
                    case MARIADB -> s.execute("ANALYZE TABLE images, image_tags, image_properties, image_members");
                    default -> { }
                }
            }
            return null;
        });
    }

    /** A shape read in order from an index: neither a full scan nor a sort. */
    private void ordered(Viewer viewer, String query) {
        assertPlan(viewer, query, false);
    }

    /** A shape whose filter narrows the rows through an index: its matches may be sorted, but nothing is scanned in full. */
    private void narrowed(Viewer viewer, String query) {
        assertPlan(viewer, query, true);
    }

    @Test
    void everySortKeyInBothDirectionsIsReadInIndexOrder() {
        for (String key : List.of("name", "status", "container_format", "disk_format", "size", "id", "created_at", "updated_at")) {
            for (String dir : List.of("asc", "desc")) {
                ordered(admin, "sort_key=" + key + "&sort_dir=" + dir);
                ordered(admin, "sort_key=" + key + "&sort_dir=" + dir + "&marker=M");
                ordered(admin, "sort=" + key + ":" + dir + "&marker=M");
                visible(member, "sort_key=" + key + "&sort_dir=" + dir + "&marker=M");
            }
        }
        ordered(admin, "");
        ordered(admin, "marker=M");
    }

    @Test
    void severalSortKeysSortOnlyWithinTheFirstKey() {
        // sort=a:asc,b:desc or sort_key=a&sort_key=b — the first key is read in index order; SQLite and PostgreSQL (incremental sort) sort
        // only the rows of equal first keys; MariaDB cannot and sorts the filtered rows (see docs/benchmarks.md).
        if (database.db().dialect() != glint.db.Dialect.MARIADB) {
            ordered(admin, "sort=name:asc,size:desc&marker=M");
            ordered(admin, "sort=disk_format:desc,created_at:asc&marker=M");
            ordered(admin, "sort_key=name&sort_key=size&sort_dir=asc&marker=M");
        }
    }

    @Test
    void filtersAreReadThroughIndexes() {
        for (Viewer viewer : List.of(admin, member)) {
            java.util.function.Consumer<String> ordered = viewer == admin ? q -> ordered(admin, q) : q -> visible(member, q);
            // a tag or property filter may start from its (value, image) index and sort what matches, when the
            // planner's statistics find that narrower than reading the sort order and probing each row
            narrowed(viewer, "tag=t7");
            narrowed(viewer, "tag=t7&tag=t8&marker=M");
            narrowed(viewer, "os_distro=d3");
            narrowed(viewer, "os_distro=d3&os_version=7&sort_key=name&sort_dir=asc&marker=M");
            ordered.accept("os_hidden=true");
            // checked on the rows read in order (the planner may also sort a range of the size index)
            unsorted(viewer, "size_min=1000&size_max=100000000");
            ordered.accept("created_at=gt:2020-01-01T00:10:00Z");
            ordered.accept("updated_at=lte:2020-01-01T00:10:00Z&sort_key=updated_at");
            ordered.accept("protected=false&status=active");
            ordered.accept("visibility=public");
            ordered.accept("visibility=all&marker=M");
            ordered.accept("visibility=shared&member_status=all");
            ordered.accept("visibility=shared&member_status=pending");
            ordered.accept("visibility=community");
            ordered.accept("visibility=private");
            narrowed(viewer, "name=" + middle.name().orElse("x"));
            narrowed(viewer, "id=" + middle.id());
            narrowed(viewer, "id=in:" + middle.id() + "," + CatalogueFill.image(7).id());
        }
        narrowed(admin, "owner=bench-p3");
        narrowed(admin, "owner=bench-p3&marker=M");
    }

    /**
     * A shape a project (not an admin) lists: its visibility rules are an OR of public/community, its own and the
     * shared images it is a member of. The planner may read the sort index in order and check each row, or — where
     * its statistics find it narrower — take the union of the (visibility, …) and (owner, …) index ranges and sort
     * what they hold; a full scan fails.
     */
    private void visible(Viewer viewer, String query) {
        assertPlan(viewer, query, true);
    }

    /** A shape that may sort what any index access reads: only full scans fail. */
    private void unsorted(Viewer viewer, String query) {
        assertPlan(viewer, query, true, false);
    }

    private void assertPlan(Viewer viewer, String query, boolean mayNarrow) {
        assertPlan(viewer, query, mayNarrow, true);
    }

    private void assertPlan(Viewer viewer, String query, boolean mayNarrow, boolean sortsOnlyNarrowed) {
        ImageQuery q = parse(query.replace("marker=M", "marker=" + middle.id()));
        Optional<Image> marker = q.marker().map(id -> middle);
        ImageListSql sql = ImageListSql.build(q, viewer, marker, database.db().dialect());
        List<String> plan = database.db().read(c -> explain(c, sql));
        String shape = (viewer.seesAll() ? "admin " : "member ") + query + "\n" + sql.sql() + "\nplan:\n  " + String.join("\n  ", plan);
        switch (database.db().dialect()) {
            case SQLITE -> {
                assertThat(plan).as(shape).noneMatch(line -> line.matches("SCAN (i|t|p|m)( .*)?"));
                if (sortsOnlyNarrowed && plan.stream().anyMatch(line -> line.startsWith("USE TEMP B-TREE FOR ORDER BY"))) {
                    assertThat(mayNarrow).as(shape + "\nsorts the rows it reads").isTrue();
                    // the sorted rows come from an index range narrowed by a filter, not only by deleted/os_hidden
                    assertThat(plan).as(shape).anyMatch(line -> line.startsWith("SEARCH ")
                            && !line.replaceAll(".*\\((.*)\\)$", "$1").replaceAll("(deleted|os_hidden)=\\?( AND )?", "").isBlank());
                }
            }
            case POSTGRESQL -> {
                assertThat(plan).as(shape).noneMatch(line -> line.matches("\\s*(->\\s*)?Seq Scan on .*"));
                if (sortsOnlyNarrowed && plan.stream().anyMatch(line -> line.matches("\\s*(->\\s+)?Sort\\s+\\(.*"))) {
                    assertThat(mayNarrow).as(shape + "\nsorts the rows it reads").isTrue();
                    assertThat(plan).as(shape + "\nsorts rows that no filter narrowed").anyMatch(line -> line.strip().startsWith("Index Cond:")
                            && !line.replaceAll("\\((deleted|os_hidden) = false\\)|Index Cond:|AND|[()\\s]", "").isEmpty());
                }
            }
            case MARIADB -> {
                // id, select_type, table, type, possible_keys, key, key_len, ref, rows, r_rows, filtered, r_filtered, Extra
                assertThat(plan).as(shape).noneMatch(line -> line.split("\\|")[3].equals("ALL"));
                if (!mayNarrow) {
                    assertThat(plan).as(shape).noneMatch(line -> line.contains("Using filesort") || line.contains("Using temporary"));
                }
                if (!mayNarrow && query.contains("marker=M")) {
                    // the page after a marker starts at it: a range of the index, not its deleted/os_hidden prefix
                    // read from one end (MariaDB's "ref", which skips every row before the marker)
                    assertThat(plan).as(shape).anyMatch(line -> line.split("\\|")[2].equals("i") && line.split("\\|")[3].equals("range"));
                    // and reads about the page: a range that started at the first key's value alone (status <= ?:
                    // nearly every row) read and dropped every row between it and the marker (9 pages/s at 100k)
                    assertThat(plan).as(shape + "\nrows read (r_rows) beyond twice the page of " + q.limit())
                            .filteredOn(line -> line.split("\\|")[2].equals("i"))
                            .allMatch(line -> Double.parseDouble(line.split("\\|")[9]) <= 2 * q.limit());
                }
            }
        }
    }

    private static List<String> explain(Connection c, ImageListSql sql) throws java.sql.SQLException {
        Dialect dialect = Dialect.fromUrl(c.getMetaData().getURL());
        if (dialect == Dialect.POSTGRESQL) {
            try (Statement s = c.createStatement()) {
                s.execute("SET enable_seqscan = off");
            }
        }
        // MariaDB's ANALYZE runs the query and adds what it did to EXPLAIN's columns: r_rows, the rows it read
        String prefix = switch (dialect) {
            case SQLITE -> "EXPLAIN QUERY PLAN ";
            case POSTGRESQL -> "EXPLAIN ";
            case MARIADB -> "ANALYZE ";
        };
        List<String> lines = new ArrayList<>();
        try (PreparedStatement s = c.prepareStatement(prefix + sql.sql())) {
            RowSql.bind(s, sql.params().toArray());
            try (ResultSet r = s.executeQuery()) {
                int columns = r.getMetaData().getColumnCount();
                while (r.next()) {
                    if (dialect == Dialect.SQLITE) {
                        lines.add(r.getString(columns));
                    } else if (dialect == Dialect.POSTGRESQL) {
                        lines.add(r.getString(1));
                    } else {
                        List<String> cells = new ArrayList<>();
                        for (int i = 1; i <= columns; i++) {
                            cells.add(String.valueOf(r.getString(i)));
                        }
                        lines.add(String.join("|", cells));
                    }
                }
            }
        } finally {
            if (dialect == Dialect.POSTGRESQL) {
                try (Statement s = c.createStatement()) {
                    s.execute("RESET enable_seqscan");
                }
            }
        }
        return lines;
    }

    private ImageQuery parse(String query) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        if (!query.isEmpty()) {
            for (String kv : query.split("&")) {
                int eq = kv.indexOf('=');
                params.add(new SimpleEntry<>(kv.substring(0, eq), kv.substring(eq + 1)));
            }
        }
        return parser.parse(params);
    }
}
