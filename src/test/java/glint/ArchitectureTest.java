package glint;

import static org.assertj.core.api.Assertions.assertThat;

import glint.testing.DatabaseNeutral;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package table of docs/architecture.md is the rule: each row names a package and, in its last column, the
 * packages it may use (backticked, without {@code glint.}; class names and prose beside them are notes). This test
 * reads every import and fully qualified name in the code (not in comments) under src/main/java, maps each file and
 * each name to the table's row for it (the longest row that is a prefix: {@code glint.store.s3} is {@code glint.store}),
 * and fails on an arrow the table does not allow, on one it names that the code does not have (so the table stays
 * true), and on a package without a row. The row {@code glint} (wiring) may use everything.
 */
@DatabaseNeutral
class ArchitectureTest {
    private static final Path DOC = Path.of("docs", "architecture.md");
    private static final Path CODE = Path.of("src", "main", "java");
    private static final Pattern ROW = Pattern.compile("^\\| `(glint[a-z0-9.]*)` \\|.*\\| ([^|]*) \\|\\s*$");
    private static final Pattern TOKEN = Pattern.compile("`([a-z][a-z0-9.]*)`");
    private static final Pattern NAME = Pattern.compile("\\b(glint(?:\\.[a-z][a-z0-9]*)*)\\.[A-Z]");

    @Test
    void everyPackageUsesExactlyWhatTheArchitectureTableAllows() throws IOException {
        Map<String, Set<String>> allowed = table();
        Map<String, Set<String>> used = uses(allowed.keySet());
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, Set<String>> e : used.entrySet()) {
            if (!allowed.containsKey(e.getKey())) {
                problems.add(e.getKey() + " has no row in " + DOC);
                continue;
            }
            if (e.getKey().equals("glint")) {
                continue;
            }
            for (String target : e.getValue()) {
                if (!allowed.get(e.getKey()).contains(target)) {
                    problems.add(e.getKey() + " uses " + target + ", which its row does not allow");
                }
            }
        }
        for (Map.Entry<String, Set<String>> e : allowed.entrySet()) {
            if (e.getKey().equals("glint")) {
                continue;
            }
            for (String target : e.getValue()) {
                if (!used.getOrDefault(e.getKey(), Set.of()).contains(target)) {
                    problems.add(e.getKey() + "'s row names " + target + ", which it does not use: make the table true");
                }
            }
        }
        assertThat(problems).as("docs/architecture.md's package table against the imports").isEmpty();
    }

    @Test
    void theAllowedArrowsHaveNoCycle() throws IOException {
        Map<String, Set<String>> allowed = table();
        allowed.remove("glint");
        Set<String> done = new TreeSet<>();
        for (String start : allowed.keySet()) {
            assertThat(cycleFrom(start, allowed, new ArrayList<>(), done)).as("a cycle of packages").isEmpty();
        }
    }

    private static List<String> cycleFrom(String at, Map<String, Set<String>> arrows, List<String> path, Set<String> done) {
        if (path.contains(at)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(at), path.size()));
            cycle.add(at);
            return cycle;
        }
        if (done.contains(at)) {
            return List.of();
        }
        path.add(at);
        for (String next : arrows.getOrDefault(at, Set.of())) {
            List<String> cycle = cycleFrom(next, arrows, path, done);
            if (!cycle.isEmpty()) {
                return cycle;
            }
        }
        path.remove(path.size() - 1);
        done.add(at);
        return List.of();
    }

    /** Row → the packages its last column names. */
    private static Map<String, Set<String>> table() throws IOException {
        Map<String, Set<String>> rows = new TreeMap<>();
        for (String line : Files.readAllLines(DOC)) {
            Matcher row = ROW.matcher(line);
            if (!row.matches()) {
                continue;
            }
            Set<String> may = new TreeSet<>();
            Matcher token = TOKEN.matcher(row.group(2));
            while (token.find()) {
                may.add("glint." + token.group(1));
            }
            rows.put(row.group(1), may);
        }
        Set<String> known = rows.keySet();
        for (Map.Entry<String, Set<String>> e : rows.entrySet()) {
            assertThat(known).as("packages named by the row of %s", e.getKey()).containsAll(e.getValue());
        }
        assertThat(rows).as("rows of the package table in %s", DOC).containsKey("glint").hasSizeGreaterThan(10);
        return rows;
    }

    /** Row → the rows its code names (imports and fully qualified names outside comments). */
    private static Map<String, Set<String>> uses(Set<String> rows) throws IOException {
        Map<String, Set<String>> used = new TreeMap<>();
        List<Path> sources;
        try (Stream<Path> walk = Files.walk(CODE.resolve("glint"))) {
            sources = walk.filter(p -> p.toString().endsWith(".java")).sorted(Comparator.naturalOrder()).toList();
        }
        for (Path source : sources) {
            String own = rowOf(CODE.relativize(source.getParent()).toString().replace('/', '.'), rows);
            Set<String> mine = used.computeIfAbsent(own, k -> new TreeSet<>());
            boolean inComment = false;
            for (String raw : Files.readAllLines(source)) {
                String line = raw.strip();
                if (inComment || line.startsWith("/*") || line.startsWith("*")) {
                    inComment = !line.contains("*/") && (inComment || line.startsWith("/*"));
                    continue;
                }
                int comment = line.indexOf("//");
                if (comment >= 0) {
                    line = line.substring(0, comment);
                }
                Matcher name = NAME.matcher(line);
                while (name.find()) {
                    String target = rowOf(name.group(1), rows);
                    if (!target.equals(own)) {
                        mine.add(target);
                    }
                }
            }
        }
        return used;
    }

    private static String rowOf(String pkg, Set<String> rows) {
        String best = null;
        for (String row : rows) {
            if ((pkg.equals(row) || pkg.startsWith(row + ".")) && (best == null || row.length() > best.length())) {
                best = row;
            }
        }
        return best == null ? pkg : best;
    }
}
