package glint.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.auth.RequestContext;
import glint.error.GlintException;
import glint.metadef.MetadefService;
import glint.metadef.NamespaceFields;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import java.util.Set;
import java.util.stream.Stream;

/**
 * {@code glint metadefs load DIR}: what {@code glance-manage db_load_metadefs DIR} does without its merge options —
 * each {@code *.json} file (Glance's metadef format, as in /etc/glance/metadefs) becomes a namespace with its
 * contents, owned by {@code admin} unless the file names an owner; a namespace that already exists is skipped.
 * Files are decoded exactly as {@code POST /v2/metadefs/namespaces} bodies.
 */
public final class MetadefLoader {
    private static final RequestContext OPERATOR = new RequestContext("glint-manage", "glint-manage", "default", null,
            null, null, Set.of("admin"), false, "metadefs-load");

    private final MetadefService metadefs;
    private final MetadefRequests requests;
    private final ObjectMapper json;

    public MetadefLoader(MetadefService metadefs, MetadefRequests requests, ObjectMapper json) {
        this.metadefs = metadefs;
        this.requests = requests;
        this.json = json;
    }

    /** One line per file: "loaded", "skipped" (exists) or "failed" with the reason. */
    public record Outcome(Path file, String result, String detail) {}

    public List<Outcome> load(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
        List<Outcome> out = new ArrayList<>();
        for (Path file : files) {
            out.add(loadOne(file));
        }
        return out;
    }

    private Outcome loadOne(Path file) {
        JsonNode body;
        try {
            body = json.readTree(file.toFile());
        } catch (IOException e) {
            return new Outcome(file, "failed", "not JSON: " + e.getMessage());
        }
        if (!body.isObject()) {
            return new Outcome(file, "failed", "not a JSON object");
        }
        if (!body.hasNonNull("owner")) {
            ((ObjectNode) body).put("owner", "admin"); // glance/db/sqlalchemy/metadata.py's default owner
        }
        try {
            MetadefRequests.NamespaceRequest request = requests.namespace(body);
            NamespaceFields fields = request.fields();
            if (metadefs.exists(fields.namespace())) {
                return new Outcome(file, "skipped", "namespace " + fields.namespace() + " already exists");
            }
            metadefs.createNamespace(OPERATOR, fields, request.contents());
            return new Outcome(file, "loaded", fields.namespace());
        } catch (GlintException e) {
            return new Outcome(file, "failed", e.getMessage());
        }
    }
}
