package glint.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.metadef.MetadefObject;
import glint.metadef.MetadefTag;
import glint.metadef.Namespace;
import glint.metadef.NamespaceContents;
import glint.metadef.PropertyDefinition;
import glint.metadef.ResourceType;
import glint.metadef.ResourceTypeAssociation;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Metadef records on the wire, field for field as Glance's WSME models render them (absent values left out). */
public final class MetadefViews {
    private final ObjectMapper json;

    public MetadefViews(ObjectMapper json) {
        this.json = json;
    }

    public static String namespaceHref(String namespace) {
        return "/v2/metadefs/namespaces/" + namespace;
    }

    public Map<String, Object> namespace(Namespace ns, NamespaceContents contents) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("namespace", ns.namespace());
        ns.displayName().ifPresent(d -> v.put("display_name", d));
        ns.description().ifPresent(d -> v.put("description", d));
        v.put("visibility", ns.visibility());
        v.put("protected", ns.isProtected());
        v.put("owner", ns.owner());
        v.put("created_at", ImageView.isoTime(ns.createdAt()));
        v.put("updated_at", ImageView.isoTime(ns.updatedAt()));
        if (!contents.resourceTypes().isEmpty()) {
            v.put("resource_type_associations", contents.resourceTypes().stream().map(this::association).toList());
        }
        if (!contents.properties().isEmpty()) {
            v.put("properties", properties(contents.properties()));
        }
        if (!contents.objects().isEmpty()) {
            v.put("objects", contents.objects().stream().map(o -> object(ns.namespace(), o)).toList());
        }
        if (!contents.tags().isEmpty()) {
            v.put("tags", contents.tags().stream().map(t -> Map.of("name", t.name())).toList());
        }
        v.put("self", namespaceHref(ns.namespace()));
        v.put("schema", "/v2/schemas/metadefs/namespace");
        return v;
    }

    public Map<String, Object> association(ResourceTypeAssociation a) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", a.name());
        a.prefix().ifPresent(p -> v.put("prefix", p));
        a.propertiesTarget().ifPresent(p -> v.put("properties_target", p));
        v.put("created_at", ImageView.isoTime(a.createdAt()));
        v.put("updated_at", ImageView.isoTime(a.updatedAt()));
        return v;
    }

    public Map<String, Object> resourceType(ResourceType t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", t.name());
        v.put("created_at", ImageView.isoTime(t.createdAt()));
        v.put("updated_at", ImageView.isoTime(t.updatedAt()));
        return v;
    }

    public Map<String, Object> object(String namespace, MetadefObject o) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", o.name());
        o.required().ifPresent(r -> v.put("required", r));
        o.description().ifPresent(d -> v.put("description", d));
        v.put("properties", properties(o.properties()));
        v.put("created_at", ImageView.isoTime(o.createdAt()));
        v.put("updated_at", ImageView.isoTime(o.updatedAt()));
        v.put("self", namespaceHref(namespace) + "/objects/" + o.name());
        v.put("schema", "/v2/schemas/metadefs/object");
        return v;
    }

    /** name → definition, as in a namespace, an object and {@code GET …/properties}. */
    public Map<String, Object> properties(List<PropertyDefinition> properties) {
        Map<String, Object> v = new LinkedHashMap<>();
        properties.forEach(p -> v.put(p.name(), parse(p.schemaJson())));
        return v;
    }

    /** One property: its name first, then its definition. */
    public ObjectNode property(PropertyDefinition p) {
        ObjectNode v = json.createObjectNode();
        v.put("name", p.name());
        v.setAll((ObjectNode) parse(p.schemaJson()));
        return v;
    }

    public Map<String, Object> tag(MetadefTag t) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("name", t.name());
        v.put("created_at", ImageView.isoTime(t.createdAt()));
        v.put("updated_at", ImageView.isoTime(t.updatedAt()));
        return v;
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored property definition is not JSON", e);
        }
    }
}
