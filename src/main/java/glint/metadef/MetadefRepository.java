package glint.metadef;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Persistence of metadata definitions (implemented in {@code glint.db}). Namespaces are addressed by their internal
 * id once found by name; "false" answers mean a unique name is already taken.
 */
public interface MetadefRepository {
    Optional<Namespace> findNamespace(String name);

    /** Every namespace, or only those associated with one of {@code resourceTypes} when it is not empty. */
    List<Namespace> namespaces(List<String> resourceTypes);

    /** The namespace and its contents in one transaction; false (nothing written) when the name is taken. */
    boolean createNamespace(Namespace namespace, NamespaceContents contents);

    /** False when the new name is taken by another namespace. */
    boolean updateNamespace(Namespace namespace);

    void deleteNamespace(String namespaceId);

    void deleteObjects(String namespaceId);

    void deleteProperties(String namespaceId);

    void deleteTags(String namespaceId);

    List<MetadefObject> objects(String namespaceId);

    Optional<MetadefObject> findObject(String namespaceId, String name);

    boolean addObject(String namespaceId, MetadefObject object);

    /** Replaces the object named {@code oldName}; false when the new name is taken. */
    boolean updateObject(String namespaceId, String oldName, MetadefObject object);

    void removeObject(String namespaceId, String name);

    List<PropertyDefinition> properties(String namespaceId);

    Optional<PropertyDefinition> findProperty(String namespaceId, String name);

    boolean addProperty(String namespaceId, PropertyDefinition property, Instant at);

    boolean updateProperty(String namespaceId, String oldName, PropertyDefinition property, Instant at);

    void removeProperty(String namespaceId, String name);

    List<MetadefTag> tags(String namespaceId);

    Optional<MetadefTag> findTag(String namespaceId, String name);

    boolean addTag(String namespaceId, MetadefTag tag);

    /** Adds the tags (after removing all others unless {@code append}) in one transaction; false if a name is taken. */
    boolean addTags(String namespaceId, List<MetadefTag> tags, boolean append);

    boolean updateTag(String namespaceId, String oldName, MetadefTag tag);

    void removeTag(String namespaceId, String name);

    List<ResourceType> resourceTypes();

    List<ResourceTypeAssociation> associations(String namespaceId);

    /** Associates (creating the resource type when it is new); false when already associated. */
    boolean associate(String namespaceId, ResourceTypeAssociation association);

    /** False when there was no such association. */
    boolean dissociate(String namespaceId, String resourceType);
}
