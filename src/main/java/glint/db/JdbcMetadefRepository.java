package glint.db;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import glint.metadef.MetadefObject;
import glint.metadef.MetadefRepository;
import glint.metadef.MetadefTag;
import glint.metadef.Namespace;
import glint.metadef.NamespaceContents;
import glint.metadef.PropertyDefinition;
import glint.metadef.ResourceType;
import glint.metadef.ResourceTypeAssociation;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * The metadef_* tables (V5__metadefs.sql). A namespace's contents are deleted with it in the same transaction
 * (not left to ON DELETE CASCADE, which InnoDB ignores on inline references). Object properties are stored as one
 * JSON object (name → definition) and property definitions as JSON text, as Glance's {@code json_schema} columns.
 */
public final class JdbcMetadefRepository implements MetadefRepository {
    private static final String NS_COLUMNS =
            "id, namespace, display_name, description, visibility, protected, owner, created_at, updated_at";

    private static final RowSql.Row<Namespace> NAMESPACE = r -> new Namespace(r.getString(1), r.getString(2),
            Optional.ofNullable(r.getString(3)), Optional.ofNullable(r.getString(4)), r.getString(5), r.getBoolean(6),
            r.getString(7), Instant.ofEpochMilli(r.getLong(8)), Instant.ofEpochMilli(r.getLong(9)));
    private static final RowSql.Row<PropertyDefinition> PROPERTY = r -> new PropertyDefinition(r.getString(1), r.getString(2));
    private static final RowSql.Row<MetadefTag> TAG = r -> new MetadefTag(r.getString(1), Instant.ofEpochMilli(r.getLong(2)),
            Instant.ofEpochMilli(r.getLong(3)));

    private final Database db;
    private final RowSql sql;
    private final ObjectMapper json = new ObjectMapper();

    public JdbcMetadefRepository(Database db) {
        this.db = db;
        this.sql = new RowSql(db);
    }

    // ---- namespaces

    @Override
    public Optional<Namespace> findNamespace(String name) {
        return sql.one("SELECT " + NS_COLUMNS + " FROM metadef_namespaces WHERE namespace = ?", NAMESPACE, name);
    }

    @Override
    public List<Namespace> namespaces(List<String> resourceTypes) {
        String select = "SELECT " + NS_COLUMNS + " FROM metadef_namespaces";
        if (!resourceTypes.isEmpty()) {
            select += " WHERE id IN (SELECT a.namespace_id FROM metadef_namespace_resource_types a"
                    + " JOIN metadef_resource_types t ON t.id = a.resource_type_id WHERE t.name IN ("
                    + RowSql.placeholders(resourceTypes.size()) + "))";
        }
        return sql.query(select, NAMESPACE, resourceTypes.toArray());
    }

    @Override
    public boolean createNamespace(Namespace ns, NamespaceContents contents) {
        return db.writeUnlessDuplicate(c -> {
            RowSql.execute(c, "INSERT INTO metadef_namespaces (" + NS_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    ns.id(), ns.namespace(), RowSql.text(ns.displayName()), RowSql.text(ns.description()), ns.visibility(),
                    ns.isProtected(), ns.owner(), ns.createdAt().toEpochMilli(), ns.updatedAt().toEpochMilli());
            for (ResourceTypeAssociation a : contents.resourceTypes()) {
                insertAssociation(c, ns.id(), a);
            }
            for (PropertyDefinition p : contents.properties()) {
                insertProperty(c, ns.id(), p, ns.createdAt());
            }
            for (MetadefObject o : contents.objects()) {
                insertObject(c, ns.id(), o);
            }
            for (MetadefTag t : contents.tags()) {
                insertTag(c, ns.id(), t);
            }
            return true;
        });
    }

    @Override
    public boolean updateNamespace(Namespace ns) {
        return sql.unlessDuplicate("UPDATE metadef_namespaces SET namespace = ?, display_name = ?,"
                + " description = ?, visibility = ?, protected = ?, owner = ?, updated_at = ? WHERE id = ?", ns.namespace(),
                RowSql.text(ns.displayName()), RowSql.text(ns.description()), ns.visibility(), ns.isProtected(), ns.owner(),
                ns.updatedAt().toEpochMilli(), ns.id());
    }

    @Override
    public void deleteNamespace(String namespaceId) {
        db.write(c -> {
            for (String table : List.of("metadef_namespace_resource_types", "metadef_objects", "metadef_properties",
                    "metadef_tags")) {
                deleteContents(c, table, namespaceId);
            }
            return deleteContents(c, "metadef_namespaces", namespaceId);
        });
    }

    @Override
    public void deleteObjects(String namespaceId) {
        db.write(c -> deleteContents(c, "metadef_objects", namespaceId));
    }

    @Override
    public void deleteProperties(String namespaceId) {
        db.write(c -> deleteContents(c, "metadef_properties", namespaceId));
    }

    @Override
    public void deleteTags(String namespaceId) {
        db.write(c -> deleteContents(c, "metadef_tags", namespaceId));
    }

    private static int deleteContents(Connection c, String table, String namespaceId) throws SQLException {
        String column = table.equals("metadef_namespaces") ? "id" : "namespace_id";
        return RowSql.execute(c, "DELETE FROM " + table + " WHERE " + column + " = ?", namespaceId);
    }

    // ---- objects

    @Override
    public List<MetadefObject> objects(String namespaceId) {
        return sql.query("SELECT name, description, required, json_schema, created_at,"
                + " updated_at FROM metadef_objects WHERE namespace_id = ? ORDER BY created_at DESC, name", this::object,
                namespaceId);
    }

    @Override
    public Optional<MetadefObject> findObject(String namespaceId, String name) {
        return sql.one("SELECT name, description, required, json_schema, created_at,"
                + " updated_at FROM metadef_objects WHERE namespace_id = ? AND name = ?", this::object, namespaceId, name);
    }

    @Override
    public boolean addObject(String namespaceId, MetadefObject object) {
        return inserted(c -> insertObject(c, namespaceId, object));
    }

    @Override
    public boolean updateObject(String namespaceId, String oldName, MetadefObject o) {
        return db.writeUnlessDuplicate(c -> RowSql.execute(c, "UPDATE metadef_objects SET name = ?, description = ?,"
                + " required = ?, json_schema = ?, updated_at = ? WHERE namespace_id = ? AND name = ?", o.name(),
                RowSql.text(o.description()), RowSql.text(o.required().map(this::requiredJson)), propertiesJson(o.properties()),
                o.updatedAt().toEpochMilli(), namespaceId, oldName) == 1);
    }

    @Override
    public void removeObject(String namespaceId, String name) {
        removeNamed("metadef_objects", namespaceId, name);
    }

    private void insertObject(Connection c, String namespaceId, MetadefObject o) throws SQLException {
        RowSql.execute(c, "INSERT INTO metadef_objects (id, namespace_id, name, description,"
                + " required, json_schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                UUID.randomUUID().toString(), namespaceId, o.name(), RowSql.text(o.description()),
                RowSql.text(o.required().map(this::requiredJson)), propertiesJson(o.properties()),
                o.createdAt().toEpochMilli(), o.updatedAt().toEpochMilli());
    }

    private MetadefObject object(ResultSet r) throws SQLException {
        String required = r.getString(3);
        List<String> names = new ArrayList<>();
        if (required != null) {
            parse(required).forEach(n -> names.add(n.asText()));
        }
        List<PropertyDefinition> properties = new ArrayList<>();
        String stored = r.getString(4);
        if (stored != null) {
            Iterator<Map.Entry<String, JsonNode>> fields = parse(stored).fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                properties.add(new PropertyDefinition(f.getKey(), f.getValue().toString()));
            }
        }
        return new MetadefObject(r.getString(1), Optional.ofNullable(r.getString(2)),
                required == null ? Optional.empty() : Optional.of(names), properties,
                Instant.ofEpochMilli(r.getLong(5)), Instant.ofEpochMilli(r.getLong(6)));
    }

    private String requiredJson(List<String> names) {
        ArrayNode a = json.createArrayNode();
        names.forEach(a::add);
        return a.toString();
    }

    private String propertiesJson(List<PropertyDefinition> properties) {
        ObjectNode o = json.createObjectNode();
        properties.forEach(p -> o.set(p.name(), parse(p.schemaJson())));
        return o.toString();
    }

    private JsonNode parse(String text) {
        try {
            return json.readTree(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored metadef JSON is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    // ---- properties

    @Override
    public List<PropertyDefinition> properties(String namespaceId) {
        return sql.query("SELECT name, json_schema FROM metadef_properties WHERE namespace_id = ? ORDER BY name", PROPERTY,
                namespaceId);
    }

    @Override
    public Optional<PropertyDefinition> findProperty(String namespaceId, String name) {
        return sql.one("SELECT name, json_schema FROM metadef_properties WHERE namespace_id = ? AND name = ?", PROPERTY,
                namespaceId, name);
    }

    @Override
    public boolean addProperty(String namespaceId, PropertyDefinition property, Instant at) {
        return inserted(c -> insertProperty(c, namespaceId, property, at));
    }

    @Override
    public boolean updateProperty(String namespaceId, String oldName, PropertyDefinition p, Instant at) {
        return db.writeUnlessDuplicate(c -> RowSql.execute(c, "UPDATE metadef_properties SET name = ?, json_schema = ?,"
                + " updated_at = ? WHERE namespace_id = ? AND name = ?", p.name(), p.schemaJson(), at.toEpochMilli(),
                namespaceId, oldName) == 1);
    }

    @Override
    public void removeProperty(String namespaceId, String name) {
        removeNamed("metadef_properties", namespaceId, name);
    }

    private static void insertProperty(Connection c, String namespaceId, PropertyDefinition p, Instant at) throws SQLException {
        RowSql.execute(c, "INSERT INTO metadef_properties (id, namespace_id, name,"
                + " json_schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", UUID.randomUUID().toString(),
                namespaceId, p.name(), p.schemaJson(), at.toEpochMilli(), at.toEpochMilli());
    }

    // ---- tags

    @Override
    public List<MetadefTag> tags(String namespaceId) {
        return sql.query("SELECT name, created_at, updated_at FROM metadef_tags"
                + " WHERE namespace_id = ? ORDER BY created_at DESC, name", TAG, namespaceId);
    }

    @Override
    public Optional<MetadefTag> findTag(String namespaceId, String name) {
        return sql.one("SELECT name, created_at, updated_at FROM metadef_tags"
                + " WHERE namespace_id = ? AND name = ?", TAG, namespaceId, name);
    }

    @Override
    public boolean addTag(String namespaceId, MetadefTag tag) {
        return inserted(c -> insertTag(c, namespaceId, tag));
    }

    @Override
    public boolean addTags(String namespaceId, List<MetadefTag> tags, boolean append) {
        return db.writeUnlessDuplicate(c -> {
            if (!append) {
                deleteContents(c, "metadef_tags", namespaceId);
            }
            for (MetadefTag t : tags) {
                insertTag(c, namespaceId, t);
            }
            return true;
        });
    }

    @Override
    public boolean updateTag(String namespaceId, String oldName, MetadefTag tag) {
        return db.writeUnlessDuplicate(c -> RowSql.execute(c,
                "UPDATE metadef_tags SET name = ?, updated_at = ? WHERE namespace_id = ? AND name = ?", tag.name(),
                tag.updatedAt().toEpochMilli(), namespaceId, oldName) == 1);
    }

    @Override
    public void removeTag(String namespaceId, String name) {
        removeNamed("metadef_tags", namespaceId, name);
    }

    private static void insertTag(Connection c, String namespaceId, MetadefTag t) throws SQLException {
        RowSql.execute(c, "INSERT INTO metadef_tags (id, namespace_id, name, created_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?)", UUID.randomUUID().toString(), namespaceId, t.name(),
                t.createdAt().toEpochMilli(), t.updatedAt().toEpochMilli());
    }

    // ---- resource types

    @Override
    public List<ResourceType> resourceTypes() {
        return sql.query("SELECT name, protected, created_at, updated_at FROM metadef_resource_types ORDER BY name",
                r -> new ResourceType(r.getString(1), r.getBoolean(2), Instant.ofEpochMilli(r.getLong(3)),
                        Instant.ofEpochMilli(r.getLong(4))));
    }

    @Override
    public List<ResourceTypeAssociation> associations(String namespaceId) {
        return sql.query("SELECT t.name, a.prefix, a.properties_target, a.created_at,"
                + " a.updated_at FROM metadef_namespace_resource_types a JOIN metadef_resource_types t"
                + " ON t.id = a.resource_type_id WHERE a.namespace_id = ? ORDER BY a.created_at, t.name",
                r -> new ResourceTypeAssociation(r.getString(1), Optional.ofNullable(r.getString(2)),
                        Optional.ofNullable(r.getString(3)), Instant.ofEpochMilli(r.getLong(4)),
                        Instant.ofEpochMilli(r.getLong(5))), namespaceId);
    }

    @Override
    public boolean associate(String namespaceId, ResourceTypeAssociation association) {
        return inserted(c -> insertAssociation(c, namespaceId, association));
    }

    @Override
    public boolean dissociate(String namespaceId, String resourceType) {
        return sql.execute("DELETE FROM metadef_namespace_resource_types WHERE namespace_id = ?"
                + " AND resource_type_id IN (SELECT id FROM metadef_resource_types WHERE name = ?)", namespaceId, resourceType) > 0;
    }

    /** Glance creates a resource type the first time a namespace is associated with it. */
    private static void insertAssociation(Connection c, String namespaceId, ResourceTypeAssociation a) throws SQLException {
        Optional<String> existing = RowSql.one(c, "SELECT id FROM metadef_resource_types WHERE name = ?", r -> r.getString(1),
                a.name());
        String typeId = existing.orElseGet(() -> UUID.randomUUID().toString());
        if (existing.isEmpty()) {
            RowSql.execute(c, "INSERT INTO metadef_resource_types (id, name, protected,"
                    + " created_at, updated_at) VALUES (?, ?, ?, ?, ?)", typeId, a.name(), false, a.createdAt().toEpochMilli(),
                    a.createdAt().toEpochMilli());
        }
        RowSql.execute(c, "INSERT INTO metadef_namespace_resource_types (resource_type_id,"
                + " namespace_id, properties_target, prefix, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)", typeId,
                namespaceId, RowSql.text(a.propertiesTarget()), RowSql.text(a.prefix()), a.createdAt().toEpochMilli(),
                a.updatedAt().toEpochMilli());
    }

    // ---- helpers

    private interface Insert {
        void run(Connection c) throws SQLException;
    }

    /** The insert in a transaction of its own; {@code false} when a unique key (the name) is already taken. */
    private boolean inserted(Insert insert) {
        return db.writeUnlessDuplicate(c -> {
            insert.run(c);
            return true;
        });
    }

    private void removeNamed(String table, String namespaceId, String name) {
        sql.execute("DELETE FROM " + table + " WHERE namespace_id = ? AND name = ?", namespaceId, name);
    }
}
