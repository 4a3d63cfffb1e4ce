package glint.api;

import glint.api.schema.ImageSchemas;
import glint.http.Router;

/** {@code GET /v2/schemas/{image,images,member,members}}. */
public final class SchemasApi {
    private final ImageSchemas schemas;

    public SchemasApi(ImageSchemas schemas) {
        this.schemas = schemas;
    }

    public void register(Router router) {
        router.add("GET", "/v2/schemas/image", ex -> ex.sendJson(200, schemas.image()));
        router.add("GET", "/v2/schemas/images", ex -> ex.sendJson(200, schemas.images()));
        router.add("GET", "/v2/schemas/member", ex -> ex.sendJson(200, schemas.member()));
        router.add("GET", "/v2/schemas/members", ex -> ex.sendJson(200, schemas.members()));
    }
}
