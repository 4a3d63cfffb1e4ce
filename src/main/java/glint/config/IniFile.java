package glint.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An oslo.config-style INI file: {@code [section]} headers, {@code key = value} lines, {@code #} and {@code ;} comments.
 * Keys before any header belong to {@code DEFAULT}. Operators coming from Glance read the same shape.
 */
public final class IniFile {
    public static final String DEFAULT = "DEFAULT";
    private final Map<String, Map<String, String>> sections;

    private IniFile(Map<String, Map<String, String>> sections) {
        this.sections = sections;
    }

    public static IniFile empty() {
        return new IniFile(Map.of());
    }

    public static IniFile read(Path path) throws IOException {
        return parse(Files.readAllLines(path), path.toString());
    }

    public static IniFile parse(List<String> lines, String origin) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
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
            sections.computeIfAbsent(section, s -> new LinkedHashMap<>())
                    .put(line.substring(0, eq).strip(), line.substring(eq + 1).strip());
        }
        return new IniFile(sections);
    }

    public Optional<String> get(String section, String key) {
        return Optional.ofNullable(sections.getOrDefault(section, Map.of()).get(key)).filter(v -> !v.isEmpty());
    }

    public Map<String, String> section(String name) {
        return Map.copyOf(sections.getOrDefault(name, Map.of()));
    }
}
