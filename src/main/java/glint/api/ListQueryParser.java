package glint.api;

import glint.config.GlintConfig.ImagesConfig;
import glint.error.GlintException;
import glint.image.ImageQuery;
import glint.image.ImageQuery.Comparison;
import glint.image.ImageQuery.SortKey;
import glint.image.ImageQuery.TimeFilter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GET /v2/images} query parameters → {@link ImageQuery}, with Glance's validation and messages
 * ({@code RequestDeserializer.index}, {@code ImagesController.index}, {@code _make_conditions_from_filters}).
 * Parameters are given in request order, repeated keys kept.
 */
public final class ListQueryParser {
    private static final Set<String> SORT_KEYS = Set.of("name", "status", "container_format", "disk_format", "size",
            "id", "created_at", "updated_at");
    /** Columns Glance filters with {@code eq}/{@code in:} operators. */
    private static final Set<String> OPERATOR_FILTERS = Set.of("name", "id", "status", "container_format", "disk_format");
    /** Other image columns Glance compares for equality; any other key is an extra-property filter. */
    private static final Set<String> EQUALITY_FILTERS = Set.of("owner", "checksum", "os_hash_value", "min_ram", "min_disk",
            "size", "virtual_size");
    private static final Set<String> INTEGER_FILTERS = Set.of("min_ram", "min_disk", "size", "virtual_size");
    private static final Set<String> VISIBILITIES = Set.of("community", "public", "private", "shared", "all");
    private static final Set<String> MEMBER_STATUSES = Set.of("pending", "accepted", "rejected", "all");
    private static final Pattern QUOTED_LIST = Pattern.compile("\"([^\"\\\\]*(?:\\\\.[^\"\\\\]*)*)\",?|([^,]+),?|,");

    private final ImagesConfig config;

    public ListQueryParser(ImagesConfig config) {
        this.config = config;
    }

    public ImageQuery parse(List<Map.Entry<String, String>> params) {
        Map<String, String> last = new LinkedHashMap<>();
        List<String> tags = new ArrayList<>();
        List<String> sortKeys = new ArrayList<>();
        List<String> sortDirs = new ArrayList<>();
        for (Map.Entry<String, String> p : params) {
            switch (p.getKey()) {
                case "tag" -> tags.add(p.getValue().strip());
                case "sort_key" -> sortKeys.add(sortKey(p.getValue().strip()));
                case "sort_dir" -> sortDirs.add(sortDir(p.getValue().strip()));
                default -> last.put(p.getKey(), p.getValue());
            }
        }
        int limit = Optional.ofNullable(last.remove("limit")).map(ListQueryParser::limit).orElse(config.limitParamDefault());
        Optional<String> marker = Optional.ofNullable(last.remove("marker"));
        String memberStatus = last.getOrDefault("member_status", "accepted");
        last.remove("member_status");
        if (!MEMBER_STATUSES.contains(memberStatus)) {
            throw GlintException.badRequest("Invalid status: " + memberStatus);
        }
        Optional<String> visibility = Optional.ofNullable(last.remove("visibility")).filter(v -> !v.isEmpty());
        if (visibility.isPresent() && !VISIBILITIES.contains(visibility.get())) {
            throw GlintException.badRequest("Invalid visibility value: " + visibility.get());
        }
        if (last.containsKey("changes-since")) {
            throw GlintException.badRequest("The \"changes-since\" filter is no longer available on v2.");
        }
        List<SortKey> sort = sort(last.remove("sort"), sortKeys, sortDirs);

        String hidden = last.getOrDefault("os_hidden", "false").toLowerCase(java.util.Locale.ROOT);
        last.remove("os_hidden");
        if (!hidden.equals("true") && !hidden.equals("false")) {
            throw GlintException.badRequest("Invalid value '" + hidden + "' for 'os_hidden' filter. Valid values are 'true' or 'false'.");
        }
        Optional<Boolean> isProtected = Optional.ofNullable(last.remove("protected")).map(v -> {
            if (!v.equals("true") && !v.equals("false")) {
                throw GlintException.badRequest("Invalid value '" + v + "' for 'protected' filter. Valid values are 'true' or 'false'.");
            }
            return v.equals("true");
        });
        Optional<Long> sizeMin = Optional.ofNullable(last.remove("size_min")).map(ListQueryParser::range);
        Optional<Long> sizeMax = Optional.ofNullable(last.remove("size_max")).map(ListQueryParser::range);
        List<TimeFilter> times = new ArrayList<>();
        for (String attribute : List.of("created_at", "updated_at")) {
            String value = last.remove(attribute);
            if (value != null) {
                times.add(timeFilter(attribute, value));
            }
        }
        Map<String, List<String>> attributeFilters = new LinkedHashMap<>();
        Map<String, String> properties = new LinkedHashMap<>();
        last.forEach((key, value) -> {
            if (OPERATOR_FILTERS.contains(key)) {
                attributeFilters.put(key, operatorValues(value));
            } else if (EQUALITY_FILTERS.contains(key)) {
                int digits = key.startsWith("min_") ? 9 : 18;
                if (INTEGER_FILTERS.contains(key) && !value.matches("-?[0-9]{1," + digits + "}")) {
                    throw GlintException.badRequest("Invalid value '" + value + "' for '" + key + "' filter.");
                }
                attributeFilters.put(key, List.of(value));
            } else {
                properties.put(key, value);
            }
        });
        return new ImageQuery(attributeFilters, tags, properties, sizeMin, sizeMax, isProtected, hidden.equals("true"),
                times, visibility, memberStatus, sort, Math.min(limit, config.apiLimitMax()), marker);
    }

    private static List<SortKey> sort(String newSyntax, List<String> keys, List<String> dirs) {
        List<String> k = new ArrayList<>();
        List<String> d = new ArrayList<>();
        if (newSyntax != null) {
            if (!keys.isEmpty() || !dirs.isEmpty()) {
                throw GlintException.badRequest("Old and new sorting syntax cannot be combined");
            }
            for (String part : newSyntax.strip().split(",")) {
                int colon = part.indexOf(':');
                String key = colon < 0 ? part : part.substring(0, colon);
                String dir = colon < 0 || part.substring(colon + 1).isEmpty() ? "desc" : part.substring(colon + 1);
                k.add(sortKey(key.strip()));
                d.add(sortDir(dir.strip()));
            }
        } else {
            k.addAll(keys);
            d.addAll(dirs);
            if (d.size() > 1 && d.size() != k.size()) {
                throw GlintException.badRequest("Number of sort dirs does not match the number of sort keys");
            }
        }
        if (k.isEmpty()) {
            k.add("created_at");
        }
        // image_get_all: one direction applies to every key and becomes the tie-breakers' direction too.
        String defaultDir = d.size() == 1 ? d.get(0) : "desc";
        if (d.size() <= 1) {
            d = new ArrayList<>(java.util.Collections.nCopies(k.size(), defaultDir));
        }
        List<SortKey> sort = new ArrayList<>();
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < k.size(); i++) {
            // a key repeated orders nothing more (its first place decides): keep the SQL as short as the key set,
            // however many times a query string repeats it (SQLite refuses ORDER BY past 10 000 terms)
            if (seen.add(k.get(i))) {
                sort.add(new SortKey(k.get(i), d.get(i).equals("asc")));
            }
        }
        for (String tie : List.of("created_at", "id")) {
            if (!k.contains(tie)) {
                sort.add(new SortKey(tie, defaultDir.equals("asc")));
            }
        }
        return sort;
    }

    private static String sortKey(String key) {
        if (!SORT_KEYS.contains(key)) {
            throw GlintException.badRequest("Invalid sort key: " + key
                    + ". It must be one of the following: name, status, container_format, disk_format, size, id, created_at, updated_at.");
        }
        return key;
    }

    private static String sortDir(String dir) {
        if (!dir.equals("asc") && !dir.equals("desc")) {
            throw GlintException.badRequest("Invalid sort direction: " + dir);
        }
        return dir;
    }

    private static int limit(String value) {
        int limit;
        try {
            limit = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw GlintException.badRequest("limit param must be an integer");
        }
        if (limit < 0) {
            throw GlintException.badRequest("limit param must be positive");
        }
        return limit;
    }

    private static long range(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw GlintException.badRequest("Unable to filter on a range with a non-numeric value.");
        }
    }

    /** {@code split_filter_op} + {@code in:} lists with api-wg quoting (glance/common/utils.py). */
    static List<String> operatorValues(String expression) {
        int colon = expression.indexOf(':');
        if (colon < 0 || parseIsoTime(expression).isPresent()) {
            return List.of(expression);
        }
        String op = expression.substring(0, colon);
        String value = expression.substring(colon + 1);
        if (op.equals("eq")) {
            return List.of(value);
        }
        if (!op.equals("in")) {
            throw GlintException.badRequest("Unable to filter by unknown operator '" + op + "'.");
        }
        if (value.chars().filter(c -> c == '"').count() % 2 != 0) {
            throw GlintException.badRequest("Invalid filter value " + value + ". The quote is not closed.");
        }
        List<String> values = new ArrayList<>();
        Matcher m = QUOTED_LIST.matcher(value);
        while (m.find()) {
            values.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : "");
        }
        return values;
    }

    private static TimeFilter timeFilter(String attribute, String expression) {
        String op = "eq";
        String value = expression;
        int colon = expression.indexOf(':');
        if (colon >= 0 && parseIsoTime(expression).isEmpty()) {
            op = expression.substring(0, colon);
            value = expression.substring(colon + 1);
        }
        Instant time = parseIsoTime(value).orElseThrow(() -> GlintException.badRequest(
                "Bad \"" + attribute + "\" query filter format. Use ISO 8601 DateTime notation."));
        Comparison comparison = switch (op) {
            case "gt" -> Comparison.GT;
            case "gte" -> Comparison.GTE;
            case "lt" -> Comparison.LT;
            case "lte" -> Comparison.LTE;
            case "eq" -> Comparison.EQ;
            case "neq" -> Comparison.NEQ;
            default -> throw GlintException.badRequest("Unable to filter on a unknown operator.");
        };
        return new TimeFilter(attribute, comparison, time);
    }

    /** oslo's {@code parse_isotime}: ISO 8601 date-time with optional fraction and offset (UTC when absent). */
    static Optional<Instant> parseIsoTime(String value) {
        try {
            return Optional.of(OffsetDateTime.parse(value, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant());
        } catch (DateTimeParseException e) {
            try {
                return Optional.of(LocalDateTime.parse(value, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC));
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }
}
