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
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
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

    private final Database db;
    private final ObjectMapper json = new ObjectMapper();

    public JdbcMetadefRepository(Database db) {
        this.db = db;
    }

    // ---- namespaces

    @Override
    public Optional<Namespace> findNamespace(String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT " + NS_COLUMNS + " FROM metadef_namespaces WHERE namespace = ?")) {
                s.setString(1, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(namespace(r)) : Optional.<Namespace>empty();
                }
            }
        });
    }

    @Override
    public List<Namespace> namespaces(List<String> resourceTypes) {
        return db.read(c -> {
            String sql = "SELECT " + NS_COLUMNS + " FROM metadef_namespaces";
            if (!resourceTypes.isEmpty()) {
                sql += " WHERE id IN (SELECT a.namespace_id FROM metadef_namespace_resource_types a"
                        + " JOIN metadef_resource_types t ON t.id = a.resource_type_id WHERE t.name IN ("
                        + String.join(", ", resourceTypes.stream().map(x -> "?").toList()) + "))";
            }
            try (PreparedStatement s = c.prepareStatement(sql)) {
                for (int i = 0; i < resourceTypes.size(); i++) {
                    s.setString(i + 1, resourceTypes.get(i));
                }
                List<Namespace> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(namespace(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean createNamespace(Namespace ns, NamespaceContents contents) {
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_namespaces (" + NS_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                s.setString(1, ns.id());
                setNamespace(s, 2, ns);
                s.setLong(8, ns.createdAt().toEpochMilli());
                s.setLong(9, ns.updatedAt().toEpochMilli());
                s.executeUpdate();
            }
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
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE metadef_namespaces SET namespace = ?, display_name = ?,"
                    + " description = ?, visibility = ?, protected = ?, owner = ?, updated_at = ? WHERE id = ?")) {
                setNamespace(s, 1, ns);
                s.setLong(7, ns.updatedAt().toEpochMilli());
                s.setString(8, ns.id());
                s.executeUpdate();
                return true;
            }
        });
    }

    private static void setNamespace(PreparedStatement s, int first, Namespace ns) throws SQLException {
        s.setString(first, ns.namespace());
        setOptional(s, first + 1, ns.displayName());
        setOptional(s, first + 2, ns.description());
        s.setString(first + 3, ns.visibility());
        s.setBoolean(first + 4, ns.isProtected());
        s.setString(first + 5, ns.owner());
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
        try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE " + column + " = ?")) {
            s.setString(1, namespaceId);
            return s.executeUpdate();
        }
    }

    // ---- objects

    @Override
    public List<MetadefObject> objects(String namespaceId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, description, required, json_schema, created_at,"
                    + " updated_at FROM metadef_objects WHERE namespace_id = ? ORDER BY created_at DESC, name")) {
                s.setString(1, namespaceId);
                List<MetadefObject> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(object(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<MetadefObject> findObject(String namespaceId, String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, description, required, json_schema, created_at,"
                    + " updated_at FROM metadef_objects WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, namespaceId);
                s.setString(2, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(object(r)) : Optional.<MetadefObject>empty();
                }
            }
        });
    }

    @Override
    public boolean addObject(String namespaceId, MetadefObject object) {
        return db.writeUnlessDuplicate(c -> {
            insertObject(c, namespaceId, object);
            return true;
        });
    }

    @Override
    public boolean updateObject(String namespaceId, String oldName, MetadefObject o) {
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE metadef_objects SET name = ?, description = ?,"
                    + " required = ?, json_schema = ?, updated_at = ? WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, o.name());
                setOptional(s, 2, o.description());
                setOptional(s, 3, o.required().map(this::requiredJson));
                s.setString(4, propertiesJson(o.properties()));
                s.setLong(5, o.updatedAt().toEpochMilli());
                s.setString(6, namespaceId);
                s.setString(7, oldName);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void removeObject(String namespaceId, String name) {
        removeNamed("metadef_objects", namespaceId, name);
    }

    private void insertObject(Connection c, String namespaceId, MetadefObject o) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_objects (id, namespace_id, name, description,"
                + " required, json_schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, UUID.randomUUID().toString());
            s.setString(2, namespaceId);
            s.setString(3, o.name());
            setOptional(s, 4, o.description());
            setOptional(s, 5, o.required().map(this::requiredJson));
            s.setString(6, propertiesJson(o.properties()));
            s.setLong(7, o.createdAt().toEpochMilli());
            s.setLong(8, o.updatedAt().toEpochMilli());
            s.executeUpdate();
        }
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
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, json_schema FROM metadef_properties WHERE namespace_id = ? ORDER BY name")) {
                s.setString(1, namespaceId);
                List<PropertyDefinition> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new PropertyDefinition(r.getString(1), r.getString(2)));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<PropertyDefinition> findProperty(String namespaceId, String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, json_schema FROM metadef_properties WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, namespaceId);
                s.setString(2, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new PropertyDefinition(r.getString(1), r.getString(2)))
                            : Optional.<PropertyDefinition>empty();
                }
            }
        });
    }

    @Override
    public boolean addProperty(String namespaceId, PropertyDefinition property, Instant at) {
        return db.writeUnlessDuplicate(c -> {
            insertProperty(c, namespaceId, property, at);
            return true;
        });
    }

    @Override
    public boolean updateProperty(String namespaceId, String oldName, PropertyDefinition p, Instant at) {
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement("UPDATE metadef_properties SET name = ?, json_schema = ?,"
                    + " updated_at = ? WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, p.name());
                s.setString(2, p.schemaJson());
                s.setLong(3, at.toEpochMilli());
                s.setString(4, namespaceId);
                s.setString(5, oldName);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void removeProperty(String namespaceId, String name) {
        removeNamed("metadef_properties", namespaceId, name);
    }

    private static void insertProperty(Connection c, String namespaceId, PropertyDefinition p, Instant at) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_properties (id, namespace_id, name,"
                + " json_schema, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, UUID.randomUUID().toString());
            s.setString(2, namespaceId);
            s.setString(3, p.name());
            s.setString(4, p.schemaJson());
            s.setLong(5, at.toEpochMilli());
            s.setLong(6, at.toEpochMilli());
            s.executeUpdate();
        }
    }

    // ---- tags

    @Override
    public List<MetadefTag> tags(String namespaceId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, created_at, updated_at FROM metadef_tags"
                    + " WHERE namespace_id = ? ORDER BY created_at DESC, name")) {
                s.setString(1, namespaceId);
                List<MetadefTag> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(tag(r));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public Optional<MetadefTag> findTag(String namespaceId, String name) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT name, created_at, updated_at FROM metadef_tags"
                    + " WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, namespaceId);
                s.setString(2, name);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(tag(r)) : Optional.<MetadefTag>empty();
                }
            }
        });
    }

    @Override
    public boolean addTag(String namespaceId, MetadefTag tag) {
        return db.writeUnlessDuplicate(c -> {
            insertTag(c, namespaceId, tag);
            return true;
        });
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
        return db.writeUnlessDuplicate(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "UPDATE metadef_tags SET name = ?, updated_at = ? WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, tag.name());
                s.setLong(2, tag.updatedAt().toEpochMilli());
                s.setString(3, namespaceId);
                s.setString(4, oldName);
                return s.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void removeTag(String namespaceId, String name) {
        removeNamed("metadef_tags", namespaceId, name);
    }

    private static void insertTag(Connection c, String namespaceId, MetadefTag t) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_tags (id, namespace_id, name, created_at,"
                + " updated_at) VALUES (?, ?, ?, ?, ?)")) {
            s.setString(1, UUID.randomUUID().toString());
            s.setString(2, namespaceId);
            s.setString(3, t.name());
            s.setLong(4, t.createdAt().toEpochMilli());
            s.setLong(5, t.updatedAt().toEpochMilli());
            s.executeUpdate();
        }
    }

    private static MetadefTag tag(ResultSet r) throws SQLException {
        return new MetadefTag(r.getString(1), Instant.ofEpochMilli(r.getLong(2)), Instant.ofEpochMilli(r.getLong(3)));
    }

    // ---- resource types

    @Override
    public List<ResourceType> resourceTypes() {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement(
                    "SELECT name, protected, created_at, updated_at FROM metadef_resource_types ORDER BY name")) {
                List<ResourceType> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new ResourceType(r.getString(1), r.getBoolean(2), Instant.ofEpochMilli(r.getLong(3)),
                                Instant.ofEpochMilli(r.getLong(4))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public List<ResourceTypeAssociation> associations(String namespaceId) {
        return db.read(c -> {
            try (PreparedStatement s = c.prepareStatement("SELECT t.name, a.prefix, a.properties_target, a.created_at,"
                    + " a.updated_at FROM metadef_namespace_resource_types a JOIN metadef_resource_types t"
                    + " ON t.id = a.resource_type_id WHERE a.namespace_id = ? ORDER BY a.created_at, t.name")) {
                s.setString(1, namespaceId);
                List<ResourceTypeAssociation> out = new ArrayList<>();
                try (ResultSet r = s.executeQuery()) {
                    while (r.next()) {
                        out.add(new ResourceTypeAssociation(r.getString(1), Optional.ofNullable(r.getString(2)),
                                Optional.ofNullable(r.getString(3)), Instant.ofEpochMilli(r.getLong(4)),
                                Instant.ofEpochMilli(r.getLong(5))));
                    }
                }
                return out;
            }
        });
    }

    @Override
    public boolean associate(String namespaceId, ResourceTypeAssociation association) {
        return db.writeUnlessDuplicate(c -> {
            insertAssociation(c, namespaceId, association);
            return true;
        });
    }

    @Override
    public boolean dissociate(String namespaceId, String resourceType) {
        return db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM metadef_namespace_resource_types WHERE namespace_id = ?"
                    + " AND resource_type_id IN (SELECT id FROM metadef_resource_types WHERE name = ?)")) {
                s.setString(1, namespaceId);
                s.setString(2, resourceType);
                return s.executeUpdate() > 0;
            }
        });
    }

    /** Glance creates a resource type the first time a namespace is associated with it. */
    private static void insertAssociation(Connection c, String namespaceId, ResourceTypeAssociation a) throws SQLException {
        String typeId = null;
        try (PreparedStatement s = c.prepareStatement("SELECT id FROM metadef_resource_types WHERE name = ?")) {
            s.setString(1, a.name());
            try (ResultSet r = s.executeQuery()) {
                if (r.next()) {
                    typeId = r.getString(1);
                }
            }
        }
        if (typeId == null) {
            typeId = UUID.randomUUID().toString();
            try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_resource_types (id, name, protected,"
                    + " created_at, updated_at) VALUES (?, ?, ?, ?, ?)")) {
                s.setString(1, typeId);
                s.setString(2, a.name());
                s.setBoolean(3, false);
                s.setLong(4, a.createdAt().toEpochMilli());
                s.setLong(5, a.createdAt().toEpochMilli());
                s.executeUpdate();
            }
        }
        try (PreparedStatement s = c.prepareStatement("INSERT INTO metadef_namespace_resource_types (resource_type_id,"
                + " namespace_id, properties_target, prefix, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
            s.setString(1, typeId);
            s.setString(2, namespaceId);
            setOptional(s, 3, a.propertiesTarget());
            setOptional(s, 4, a.prefix());
            s.setLong(5, a.createdAt().toEpochMilli());
            s.setLong(6, a.updatedAt().toEpochMilli());
            s.executeUpdate();
        }
    }

    // ---- helpers

    private void removeNamed(String table, String namespaceId, String name) {
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement("DELETE FROM " + table + " WHERE namespace_id = ? AND name = ?")) {
                s.setString(1, namespaceId);
                s.setString(2, name);
                return s.executeUpdate();
            }
        });
    }

    private static Namespace namespace(ResultSet r) throws SQLException {
        return new Namespace(r.getString(1), r.getString(2), Optional.ofNullable(r.getString(3)),
                Optional.ofNullable(r.getString(4)), r.getString(5), r.getBoolean(6), r.getString(7),
                Instant.ofEpochMilli(r.getLong(8)), Instant.ofEpochMilli(r.getLong(9)));
    }

    private static void setOptional(PreparedStatement s, int index, Optional<String> value) throws SQLException {
        if (value.isPresent()) {
            s.setString(index, value.get());
        } else {
            s.setNull(index, Types.VARCHAR);
        }
    }
}
