package glint.api;

import glint.api.schema.MetadefSchemas;
import glint.http.Router;

/** {@code GET /v2/schemas/metadefs/{namespace,namespaces,object,objects,property,properties,tag,tags,resource_type,resource_types}}. */
public final class MetadefSchemasApi {
    private final MetadefSchemas schemas;

    public MetadefSchemasApi(MetadefSchemas schemas) {
        this.schemas = schemas;
    }

    public void register(Router router) {
        for (String name : MetadefSchemas.NAMES) {
            router.add("GET", "/v2/schemas/metadefs/" + name, ex -> ex.sendJson(200, schemas.document(name)));
        }
    }
}
