package glint.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * An oslo.config-style INI file: {@code [section]} headers, {@code key = value} lines, {@code #} and {@code ;} comments.
 * Keys before any header belong to {@code DEFAULT}. Operators coming from Glance read the same shape.
 */
public final class IniFile {
    public static final String DEFAULT = "DEFAULT";
    private final Map<String, Map<String, String>> sections;
    /** Every value of each key, in file order (oslo.config's MultiStrOpt, e.g. several {@code driver = …} lines). */
    private final Map<String, Map<String, List<String>>> repeated;
    /** Told of every option asked for (section, key; key {@link #WHOLE_SECTION} for {@link #section}). */
    private final BiConsumer<String, String> asked;
    /** The key {@link #observed} reports when a whole section is read (a store's options). */
    static final String WHOLE_SECTION = "*";

    private IniFile(Map<String, Map<String, String>> sections, Map<String, Map<String, List<String>>> repeated,
                    BiConsumer<String, String> asked) {
        this.sections = sections;
        this.repeated = repeated;
        this.asked = asked;
    }

    public static IniFile empty() {
        return new IniFile(Map.of(), Map.of(), (section, key) -> {});
    }

    /** The same file, telling {@code asked} of every option read from it: what the loader reads (ConfigReferenceTest). */
    IniFile observed(BiConsumer<String, String> asked) {
        return new IniFile(sections, repeated, asked);
    }

    public static IniFile read(Path path) throws IOException {
        return parse(Files.readAllLines(path), path.toString());
    }

    public static IniFile parse(List<String> lines, String origin) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, Map<String, List<String>>> repeated = new LinkedHashMap<>();
        String section = DEFAULT;
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new IllegalArgumentException(origin + ":" + number + ": bad section header: " + raw);
                }
                section = line.substring(1, line.length() - 1).strip();
                continue;
            }
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(origin + ":" + number + ": expected 'key = value': " + raw);
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>()).put(key, value);
            repeated.computeIfAbsent(section, s -> new LinkedHashMap<>()).computeIfAbsent(key, k -> new ArrayList<>()).add(value);
        }
        return new IniFile(sections, repeated, (s, key) -> {});
    }

    public Optional<String> get(String section, String key) {
        asked.accept(section, key);
        return Optional.ofNullable(sections.getOrDefault(section, Map.of()).get(key)).filter(v -> !v.isEmpty());
    }

    /** Every non-empty value the key was given in the section, in file order (a repeated key); {@link #get} has the last. */
    public List<String> all(String section, String key) {
        asked.accept(section, key);
        return repeated.getOrDefault(section, Map.of()).getOrDefault(key, List.of()).stream().filter(v -> !v.isEmpty())
                .toList();
    }

    public Map<String, String> section(String name) {
        asked.accept(name, WHOLE_SECTION);
        return Map.copyOf(sections.getOrDefault(name, Map.of()));
    }
}
