package glint.metadef;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.notify.Notifier;
import glint.notify.Payloads;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The metadata definition notifications, with Glance's event types and payloads (glance/notifier.py
 * {@code format_metadef_*_notification} and the {@code Metadef*RepoProxy} classes): {@code metadef_namespace.*},
 * {@code metadef_object.*}, {@code metadef_property.*}, {@code metadef_tag.*}, {@code metadef_resource_type.*}.
 */
public final class MetadefEvents {
    public static final MetadefEvents NONE = new MetadefEvents(Notifier.NONE, Clock.systemUTC());

    /** The JSON-schema keywords of a property that its payloads carry, in Glance's order. */
    private static final List<String> SCHEMA_KEYS = List.of("type", "title", "description", "default", "minimum", "maximum",
            "enum", "pattern", "minLength", "maxLength", "confidential", "items", "uniqueItems", "minItems", "maxItems",
            "additionalItems");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Notifier notifier;
    private final Clock clock;

    public MetadefEvents(Notifier notifier, Clock clock) {
        this.notifier = notifier;
        this.clock = clock;
    }

    /** What happened to a definition: the end of its event type. */
    enum Change {
        CREATE, UPDATE, DELETE;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** {@code metadef_namespace.<change>}; {@code oldName} its name before an update. */
    void namespace(Change change, Namespace ns, String oldName) {
        send("metadef_namespace", change, namespace(ns, oldName));
    }

    /** {@code what}: {@code objects}, {@code properties} or {@code tags} (DELETE …/{what} of a namespace). */
    void namespaceEmptied(Namespace ns, String what) {
        notifier.info("metadef_namespace.delete_" + what, namespace(ns, ns.namespace()));
    }

    void object(Change change, Namespace ns, MetadefObject o, String oldName) {
        send("metadef_object", change, object(ns, o, oldName));
    }

    void property(Change change, Namespace ns, PropertyDefinition p, String oldName) {
        send("metadef_property", change, property(ns, p, oldName));
    }

    /** One event per tag, as Glance's {@code add_tags}. */
    void tags(Change change, Namespace ns, Collection<MetadefTag> tags, String oldName) {
        tags.forEach(t -> send("metadef_tag", change, tag(ns, t, oldName == null ? t.name() : oldName)));
    }

    void resourceTypes(Change change, Namespace ns, Collection<ResourceTypeAssociation> associations) {
        associations.forEach(a -> send("metadef_resource_type", change, association(ns, a)));
    }

    /** A delete's payload says so ({@code deleted}, {@code deleted_at}), as Glance's {@code remove} notifications. */
    private void send(String kind, Change change, Map<String, Object> payload) {
        notifier.info(kind + "." + change.wire(), change == Change.DELETE ? Payloads.deleted(payload, clock.instant()) : payload);
    }

    private static Map<String, Object> namespace(Namespace ns, String oldName) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("namespace_old", oldName);
        p.put("display_name", Payloads.orNull(ns.displayName()));
        p.put("protected", ns.isProtected());
        p.put("visibility", ns.visibility());
        p.put("owner", ns.owner());
        p.put("description", Payloads.orNull(ns.description()));
        Payloads.stampedLive(p, ns.createdAt(), ns.updatedAt());
        return p;
    }

    /** Glance's {@code format_metadef_object_notification}: each property's keywords, falsy ones as null. */
    private static Map<String, Object> object(Namespace ns, MetadefObject o, String oldName) {
        List<Map<String, Object>> properties = new ArrayList<>();
        for (PropertyDefinition prop : o.properties()) {
            Map<String, Object> schema = schema(prop);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("name", prop.name());
            SCHEMA_KEYS.forEach(k -> entry.put(k, truthy(schema.get(k)) ? schema.get(k) : null));
            properties.add(entry);
        }
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("name", o.name());
        p.put("name_old", oldName);
        p.put("properties", properties);
        p.put("required", o.required().orElse(null));
        p.put("description", Payloads.orNull(o.description()));
        Payloads.stampedLive(p, o.createdAt(), o.updatedAt());
        return p;
    }

    private static Map<String, Object> property(Namespace ns, PropertyDefinition prop, String oldName) {
        Map<String, Object> schema = schema(prop);
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("name", prop.name());
        p.put("name_old", oldName);
        SCHEMA_KEYS.forEach(k -> p.put(k, schema.get(k)));
        Payloads.live(p);
        return p;
    }

    private static Map<String, Object> tag(Namespace ns, MetadefTag t, String oldName) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("name", t.name());
        p.put("name_old", oldName);
        Payloads.stampedLive(p, t.createdAt(), t.updatedAt());
        return p;
    }

    private static Map<String, Object> association(Namespace ns, ResourceTypeAssociation a) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("name", a.name());
        p.put("name_old", a.name());
        p.put("prefix", Payloads.orNull(a.prefix()));
        p.put("properties_target", Payloads.orNull(a.propertiesTarget()));
        Payloads.stampedLive(p, a.createdAt(), a.updatedAt());
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema(PropertyDefinition prop) {
        try {
            return JSON.readValue(prop.schemaJson(), Map.class);
        } catch (JsonProcessingException e) {
            return Map.of(); // stored by Glint from validated JSON: not expected
        }
    }

    /** Python's truth of a JSON value: {@code x or None}. */
    private static boolean truthy(Object v) {
        return v != null && !Boolean.FALSE.equals(v) && !(v instanceof Number n && n.doubleValue() == 0)
                && !(v instanceof String s && s.isEmpty()) && !(v instanceof Collection<?> c && c.isEmpty())
                && !(v instanceof Map<?, ?> m && m.isEmpty());
    }
}
