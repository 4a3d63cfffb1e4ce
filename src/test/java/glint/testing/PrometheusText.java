package glint.testing;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Assumptions;

/**
 * A Prometheus exposition parsed by a real parser: the Python client's ({@code prometheus_client.parser}, or its
 * OpenMetrics parser, from Debian's {@code python3-prometheus-client}, which ./test installs), run with
 * {@code /usr/bin/python3}. A text the parser refuses fails the test.
 */
public final class PrometheusText {
    /** One sample: the family it belongs to and its type, its own name (with {@code _bucket}, {@code _total}, …). */
    public record Sample(String family, String type, String name, Map<String, String> labels, double value) {}

    private static final String SCRIPT = String.join("\n",
            "import json, sys",
            "if sys.argv[1] == 'openmetrics':",
            "    from prometheus_client.openmetrics.parser import text_string_to_metric_families",
            "else:",
            "    from prometheus_client.parser import text_string_to_metric_families",
            "out = []",
            "for family in text_string_to_metric_families(sys.stdin.read()):",
            "    for s in family.samples:",
            "        out.append({'family': family.name, 'type': family.type, 'name': s.name, 'labels': s.labels,",
            "                    'value': s.value})",
            "json.dump(out, sys.stdout)");
    private static final JsonMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    private final List<Sample> samples;

    private PrometheusText(List<Sample> samples) {
        this.samples = samples;
    }

    /** Prometheus's text format 0.0.4. */
    public static PrometheusText parse(String exposition) {
        return new PrometheusText(run("text", exposition));
    }

    /** OpenMetrics 1.0 (its parser insists on {@code # EOF} and the other rules of that format). */
    public static PrometheusText parseOpenMetrics(String exposition) {
        return new PrometheusText(run("openmetrics", exposition));
    }

    /**
     * Skips the calling test (or class, from a {@code @BeforeAll}) when {@code /usr/bin/python3} cannot import
     * {@code prometheus_client}, as on a machine without Debian's python3-prometheus-client (./test installs it).
     */
    public static void assumeParser() {
        boolean present;
        try {
            Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import prometheus_client")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            present = p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            present = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Assumptions.assumeTrue(present, "/usr/bin/python3 has no prometheus_client (./test installs "
                + "python3-prometheus-client)");
    }

    public List<Sample> samples() {
        return samples;
    }

    /** The samples named {@code name} whose labels include {@code labels} (name, value, name, value, …). */
    public List<Sample> find(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        Predicate<Sample> match = s -> s.name().equals(name)
                && wanted.entrySet().stream().allMatch(e -> e.getValue().equals(s.labels().get(e.getKey())));
        return samples.stream().filter(match).toList();
    }

    /** The value of the one sample named {@code name} with {@code labels}; fails when there is not exactly one. */
    public double value(String name, String... labels) {
        List<Sample> found = find(name, labels);
        if (found.size() != 1) {
            throw new AssertionError("expected one sample " + name + " " + List.of(labels) + ", found " + found);
        }
        return found.get(0).value();
    }

    private static List<Sample> run(String format, String exposition) {
        try {
            Path script = Files.createTempFile("glint-prometheus-", ".py");
            try {
                Files.writeString(script, SCRIPT);
                Process p = new ProcessBuilder("/usr/bin/python3", script.toString(), format).start();
                try (OutputStream in = p.getOutputStream()) {
                    in.write(exposition.getBytes(StandardCharsets.UTF_8));
                }
                byte[] out = p.getInputStream().readAllBytes();
                String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new AssertionError("the Prometheus parser refused the exposition: " + err);
                }
                List<Sample> samples = new ArrayList<>();
                for (JsonNode s : JSON.readTree(out)) {
                    Map<String, String> labels = new LinkedHashMap<>();
                    s.get("labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                    samples.add(new Sample(s.get("family").asText(), s.get("type").asText(), s.get("name").asText(),
                            labels, s.get("value").asDouble()));
                }
                return samples;
            } finally {
                Files.deleteIfExists(script);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
