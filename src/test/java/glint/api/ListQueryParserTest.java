package glint.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.config.ConfigLoader;
import glint.config.IniFile;
import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.image.ImageQuery;
import glint.image.ImageQuery.SortKey;
import glint.testing.DatabaseNeutral;
import java.util.AbstractMap.SimpleEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@DatabaseNeutral
class ListQueryParserTest {
    private final ListQueryParser parser = new ListQueryParser(
            ConfigLoader.fromIni(IniFile.parse(List.of("api_limit_max = 50"), "t"), Map.of(), Map.of()).images());

    private ImageQuery parse(String... kv) {
        List<Map.Entry<String, String>> params = new ArrayList<>();
        for (int i = 0; i < kv.length; i += 2) {
            params.add(new SimpleEntry<>(kv[i], kv[i + 1]));
        }
        return parser.parse(params);
    }

    private static void badRequest(Runnable r, String message) {
        assertThatThrownBy(r::run).isInstanceOf(GlintException.class)
                .satisfies(e -> assertThat(((GlintException) e).kind()).isEqualTo(ErrorKind.BAD_REQUEST))
                .hasMessageContaining(message);
    }

    @Test
    void defaultsAreGlancesCreatedAtDescendingWithIdTieBreakerAndTheConfiguredLimits() {
        ImageQuery q = parse();
        assertThat(q.sort()).containsExactly(new SortKey("created_at", false), new SortKey("id", false));
        assertThat(q.limit()).isEqualTo(25);
        assertThat(q.memberStatus()).isEqualTo("accepted");
        assertThat(q.osHidden()).isFalse();
        assertThat(parse("limit", "5000").limit()).isEqualTo(50);
    }

    @Test
    void classicAndNewSortSyntax() {
        assertThat(parse("sort_key", "name", "sort_dir", "asc", "sort_key", "size").sort()).containsExactly(
                new SortKey("name", true), new SortKey("size", true), new SortKey("created_at", true), new SortKey("id", true));
        assertThat(parse("sort", "name:asc,size").sort()).containsExactly(
                new SortKey("name", true), new SortKey("size", false), new SortKey("created_at", false), new SortKey("id", false));
        badRequest(() -> parse("sort", "name", "sort_key", "size"), "Old and new sorting syntax cannot be combined");
        badRequest(() -> parse("sort_key", "owner"), "Invalid sort key: owner");
        badRequest(() -> parse("sort_dir", "up"), "Invalid sort direction: up");
        badRequest(() -> parse("sort_key", "name", "sort_key", "size", "sort_key", "id", "sort_dir", "asc", "sort_dir", "desc"),
                "Number of sort dirs does not match the number of sort keys");
    }

    @Test
    void filtersFollowGlance() {
        ImageQuery q = parse("name", "in:\"glass, darkly\",share me", "status", "active", "tag", "a", "tag", "b",
                "os_distro", "ubuntu", "size_min", "10", "protected", "true", "visibility", "all",
                "created_at", "gte:2016-04-18T21:38:54Z");
        assertThat(q.attributeFilters()).containsEntry("name", List.of("glass, darkly", "share me"))
                .containsEntry("status", List.of("active"));
        assertThat(q.tags()).containsExactly("a", "b");
        assertThat(q.properties()).containsEntry("os_distro", "ubuntu");
        assertThat(q.sizeMin()).contains(10L);
        assertThat(q.isProtected()).contains(true);
        assertThat(q.visibility()).contains("all");
        assertThat(q.timeFilters()).singleElement().satisfies(t -> assertThat(t.op()).isEqualTo(ImageQuery.Comparison.GTE));
    }

    @Test
    void badValuesAreRefusedWithGlancesMessages() {
        badRequest(() -> parse("limit", "x"), "limit param must be an integer");
        badRequest(() -> parse("limit", "-1"), "limit param must be positive");
        badRequest(() -> parse("visibility", "secret"), "Invalid visibility value: secret");
        badRequest(() -> parse("member_status", "maybe"), "Invalid status: maybe");
        badRequest(() -> parse("os_hidden", "yes"), "Invalid value 'yes' for 'os_hidden' filter");
        badRequest(() -> parse("protected", "True"), "Invalid value 'True' for 'protected' filter");
        badRequest(() -> parse("size_max", "big"), "Unable to filter on a range with a non-numeric value.");
        badRequest(() -> parse("created_at", "gte:yesterday"), "Bad \"created_at\" query filter format");
        badRequest(() -> parse("created_at", "about:2016-04-18T21:38:54Z"), "Unable to filter on a unknown operator.");
        badRequest(() -> parse("name", "like:foo"), "Unable to filter by unknown operator 'like'.");
        badRequest(() -> parse("changes-since", "2016-04-18T21:38:54Z"), "no longer available on v2");
        badRequest(() -> parse("name", "in:\"open"), "The quote is not closed.");
    }
}
