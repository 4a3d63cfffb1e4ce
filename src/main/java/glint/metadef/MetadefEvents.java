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

    void namespaceCreated(Namespace ns) {
        notifier.info("metadef_namespace.create", namespace(ns, ns.namespace()));
    }

    void namespaceUpdated(Namespace ns, String oldName) {
        notifier.info("metadef_namespace.update", namespace(ns, oldName));
    }

    void namespaceDeleted(Namespace ns) {
        notifier.info("metadef_namespace.delete", Payloads.deleted(namespace(ns, ns.namespace()), clock.instant()));
    }

    /** {@code what}: {@code objects}, {@code properties} or {@code tags} (DELETE …/{what} of a namespace). */
    void namespaceEmptied(Namespace ns, String what) {
        notifier.info("metadef_namespace.delete_" + what, namespace(ns, ns.namespace()));
    }

    void objectCreated(Namespace ns, MetadefObject o) {
        notifier.info("metadef_object.create", object(ns, o, o.name()));
    }

    void objectUpdated(Namespace ns, MetadefObject o, String oldName) {
        notifier.info("metadef_object.update", object(ns, o, oldName));
    }

    void objectDeleted(Namespace ns, MetadefObject o) {
        notifier.info("metadef_object.delete", Payloads.deleted(object(ns, o, o.name()), clock.instant()));
    }

    void propertyCreated(Namespace ns, PropertyDefinition p) {
        notifier.info("metadef_property.create", property(ns, p, p.name()));
    }

    void propertyUpdated(Namespace ns, PropertyDefinition p, String oldName) {
        notifier.info("metadef_property.update", property(ns, p, oldName));
    }

    void propertyDeleted(Namespace ns, PropertyDefinition p) {
        notifier.info("metadef_property.delete", Payloads.deleted(property(ns, p, p.name()), clock.instant()));
    }

    void tagsCreated(Namespace ns, Collection<MetadefTag> tags) {
        tags.forEach(t -> notifier.info("metadef_tag.create", tag(ns, t, t.name())));
    }

    void tagUpdated(Namespace ns, MetadefTag t, String oldName) {
        notifier.info("metadef_tag.update", tag(ns, t, oldName));
    }

    void tagDeleted(Namespace ns, MetadefTag t) {
        notifier.info("metadef_tag.delete", Payloads.deleted(tag(ns, t, t.name()), clock.instant()));
    }

    void associated(Namespace ns, Collection<ResourceTypeAssociation> associations) {
        associations.forEach(a -> notifier.info("metadef_resource_type.create", association(ns, a)));
    }

    void dissociated(Namespace ns, ResourceTypeAssociation a) {
        notifier.info("metadef_resource_type.delete", Payloads.deleted(association(ns, a), clock.instant()));
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
        p.put("created_at", Payloads.isotime(ns.createdAt()));
        p.put("updated_at", Payloads.isotime(ns.updatedAt()));
        Payloads.live(p);
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
        p.put("created_at", Payloads.isotime(o.createdAt()));
        p.put("updated_at", Payloads.isotime(o.updatedAt()));
        Payloads.live(p);
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
        p.put("created_at", Payloads.isotime(t.createdAt()));
        p.put("updated_at", Payloads.isotime(t.updatedAt()));
        Payloads.live(p);
        return p;
    }

    private static Map<String, Object> association(Namespace ns, ResourceTypeAssociation a) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("namespace", ns.namespace());
        p.put("name", a.name());
        p.put("name_old", a.name());
        p.put("prefix", Payloads.orNull(a.prefix()));
        p.put("properties_target", Payloads.orNull(a.propertiesTarget()));
        p.put("created_at", Payloads.isotime(a.createdAt()));
        p.put("updated_at", Payloads.isotime(a.updatedAt()));
        Payloads.live(p);
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
