package glint;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import glint.http.Json;
import glint.testing.DatabaseNeutral;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.event.KeyValuePair;

/** {@code use_json = true}: each log line one JSON object, with the request's ids and the access line's fields. */
@DatabaseNeutral
class LogSetupTest {
    @Test
    void aLineIsOneJsonObjectWithTheMdcAndTheKeyValues() throws Exception {
        LoggerContext context = new LoggerContext();
        Logger logger = context.getLogger("glint.access");
        LoggingEvent event = new LoggingEvent("x", logger, Level.INFO, "GET {} 200", null, new Object[] {"/v2/images"});
        event.setMDCPropertyMap(Map.of("request_id", "req-1", "user_id", "u", "project_id", "p"));
        event.addKeyValuePair(new KeyValuePair("status", 200));
        String line = new String(LogSetup.jsonEncoder(context).encode(event), StandardCharsets.UTF_8);

        assertThat(line).endsWith("\n").doesNotContain("\n{");
        JsonNode json = Json.mapper().readTree(line);
        assertThat(json.get("level").asText()).isEqualTo("INFO");
        assertThat(json.get("loggerName").asText()).isEqualTo("glint.access");
        assertThat(json.get("formattedMessage").asText()).isEqualTo("GET /v2/images 200");
        assertThat(json.at("/mdc/request_id").asText()).isEqualTo("req-1");
        assertThat(json.at("/mdc/project_id").asText()).isEqualTo("p");
        assertThat(json.get("kvpList").toString()).contains("status");
        assertThat(json.has("timestamp")).isTrue();
        assertThat(json.has("context")).as("no per-line logger context").isFalse();
    }
}
