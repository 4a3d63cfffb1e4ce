package glint.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import glint.health.HealthReport;
import glint.health.HealthResult;
import glint.health.ProcessDetails;
import glint.http.AcceptHeader;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The healthcheck's answer as oslo.middleware renders it (oslo_middleware/healthcheck/__init__.py): by {@code Accept},
 * {@code text/plain} (the reasons, one a line; the default, also for an {@code Accept} that takes none of the three),
 * {@code text/html} or {@code application/json} ({@code json.dumps(indent=4, sort_keys=True)}); detailed or not.
 */
final class HealthcheckView {
    /** A rendered answer. */
    record Rendered(String contentType, byte[] body) {}

    private static final String CLASS = "HealthcheckResult";
    private final ObjectWriter pythonJson;

    HealthcheckView(ObjectMapper json) {
        // Python's json.dumps(indent=4): four spaces, "key": value, and [] / {} when empty
        DefaultPrettyPrinter printer = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator("").withArrayEmptySeparator(""));
        DefaultIndenter indenter = new DefaultIndenter("    ", "\n");
        printer.indentObjectsWith(indenter);
        printer.indentArraysWith(indenter);
        this.pythonJson = json.writer(printer);
    }

    Rendered render(HealthReport report, ProcessDetails details, String accept) {
        String type = AcceptHeader.preferred(accept, "text/plain", "text/html", "application/json");
        return switch (type) {
            case "application/json" -> new Rendered("application/json", json(report, details));
            case "text/html" -> new Rendered("text/html; charset=UTF-8", utf8(HealthcheckHtml.render(report, details)));
            default -> new Rendered("text/plain; charset=UTF-8", utf8(String.join("\n", report.results().stream()
                    .map(HealthResult::reason).filter(r -> r != null && !r.isEmpty()).toList())));
        };
    }

    private byte[] json(HealthReport report, ProcessDetails details) {
        Map<String, Object> body = new TreeMap<>();
        if (details == null) {
            body.put("detailed", false);
            body.put("reasons", report.results().stream().map(HealthResult::reason).toList());
        } else {
            body.put("detailed", true);
            body.put("python_version", details.runtimeVersion());
            body.put("now", details.now());
            body.put("platform", details.platform());
            Map<String, Object> gc = new TreeMap<>();
            gc.put("counts", details.collections());
            gc.put("threshold", List.of());
            gc.put("collectors", details.collectors());
            body.put("gc", gc);
            body.put("reasons", report.results().stream().map(HealthcheckView::reason).toList());
            body.put("greenthreads", List.of());
            body.put("threads", details.threads());
        }
        try {
            return pythonJson.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** oslo's detailed reason: {@code reason}, {@code details} ("" when none) and the result's class name. */
    static Map<String, String> reason(HealthResult r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("class", CLASS);
        m.put("details", r.details() == null ? "" : r.details());
        m.put("reason", r.reason());
        return m;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
