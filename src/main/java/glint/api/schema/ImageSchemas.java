package glint.api.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;

/**
 * The JSON Schema documents served under {@code /v2/schemas/…}, equal to Glance's (glance/api/v2/images.py
 * {@code get_base_properties}, the default {@code schema-image.json} custom properties, image_members.py
 * {@code _MEMBER_SCHEMA}, glance/schema.py for the document shapes). The server validates with the same documents.
 */
public final class ImageSchemas {
    private final ObjectNode image;
    private final ObjectNode images;
    private final ObjectNode member;
    private final ObjectNode members;

    public ImageSchemas(ObjectMapper json, List<String> diskFormats, List<String> containerFormats) {
        ObjectNode properties = (ObjectNode) load(json, "image-base.json");
        fillEnum(json, (ObjectNode) properties.get("container_format"), containerFormats);
        fillEnum(json, (ObjectNode) properties.get("disk_format"), diskFormats);
        properties.setAll((ObjectNode) load(json, "image-custom.json"));

        image = json.createObjectNode();
        image.put("name", "image");
        image.set("properties", properties);
        image.set("additionalProperties", json.createObjectNode().put("type", "string"));
        image.set("links", links(json, "self", "{self}", "enclosure", "{file}", "describedby", "{schema}"));

        images = collection(json, "images", image, true);

        member = json.createObjectNode();
        member.put("name", "member");
        member.set("properties", load(json, "member.json"));
        members = collection(json, "members", member, false);
    }

    public ObjectNode image() {
        return image;
    }

    public ObjectNode images() {
        return images;
    }

    public ObjectNode member() {
        return member;
    }

    public ObjectNode members() {
        return members;
    }

    /** The schema of one image property (base or custom), or the schema of additional properties. */
    public JsonNode property(String name) {
        JsonNode p = image.get("properties").get(name);
        return p != null ? p : image.get("additionalProperties");
    }

    public boolean isBaseOrCustom(String name) {
        return image.get("properties").has(name);
    }

    private static ObjectNode collection(ObjectMapper json, String name, ObjectNode item, boolean raw) {
        ObjectNode c = json.createObjectNode();
        c.put("name", name);
        ObjectNode props = c.putObject("properties");
        props.putObject(name).put("type", "array").set("items", item.deepCopy());
        if (raw) {
            props.putObject("first").put("type", "string");
            props.putObject("next").put("type", "string");
        }
        props.putObject("schema").put("type", "string");
        c.set("links", raw
                ? links(json, "first", "{first}", "next", "{next}", "describedby", "{schema}")
                : links(json, "describedby", "{schema}"));
        return c;
    }

    private static ArrayNode links(ObjectMapper json, String... relHref) {
        ArrayNode links = json.createArrayNode();
        for (int i = 0; i < relHref.length; i += 2) {
            links.addObject().put("rel", relHref[i]).put("href", relHref[i + 1]);
        }
        return links;
    }

    private static void fillEnum(ObjectMapper json, ObjectNode property, List<String> values) {
        ArrayNode e = json.createArrayNode();
        e.addNull();
        values.forEach(e::add);
        property.set("enum", e);
    }

    private static JsonNode load(ObjectMapper json, String resource) {
        try (InputStream in = ImageSchemas.class.getResourceAsStream("/schemas/" + resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource /schemas/" + resource);
            }
            return json.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Names of all declared image properties, in schema order. */
    public Iterator<String> propertyNames() {
        return image.get("properties").fieldNames();
    }
}
