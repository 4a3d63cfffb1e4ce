package glint.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads numbers off a test server's metrics listener ({@code [metrics] enabled = true}, {@code bind_port = 0}) for
 * tests about something else (an outage, a broker): the sum of a metric's samples with some labels. Checking the
 * exposition itself is {@link PrometheusText}'s (Prometheus's own parser); this needs no Python.
 */
public final class MetricsScraper {
    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final ApiClient listener;

    public MetricsScraper(TestServer server) {
        this.listener = new ApiClient("http://127.0.0.1:" + server.app().metricsPort()
                .orElseThrow(() -> new IllegalStateException("the server has no metrics listener")), null);
    }

    /** The sum of the samples named {@code name} whose labels include {@code labels} (name, value, …); 0 for none. */
    public double sum(String name, String... labels) {
        Map<String, String> wanted = new LinkedHashMap<>();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            wanted.put(labels[i], labels[i + 1]);
        }
        double sum = 0;
        for (String line : listener.get("/metrics").body().split("\n")) {
            Matcher m = SAMPLE.matcher(line);
            if (line.startsWith("#") || !m.matches() || !m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> have = new LinkedHashMap<>();
            Matcher l = LABEL.matcher(m.group(2) == null ? "" : m.group(2));
            while (l.find()) {
                have.put(l.group(1), l.group(2));
            }
            if (wanted.entrySet().stream().allMatch(e -> e.getValue().equals(have.get(e.getKey())))) {
                sum += Double.parseDouble(m.group(3));
            }
        }
        return sum;
    }
}
