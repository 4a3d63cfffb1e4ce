package glint.metadef;

import glint.auth.RequestContext;
import glint.error.GlintException;
import glint.policy.Policy;
import glint.policy.PolicyTarget;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The metadata definitions catalogue (Glance's glance/api/v2/metadef_*.py controllers, the visibility rule of
 * glance/db/sqlalchemy/metadef_api/namespace.py and MetadefAPIPolicy in glance/api/v2/policy.py): a private namespace
 * exists only for its owner's project and admins (others get 404), every call is checked against Glance's metadef
 * policy rules with the namespace's owner and visibility as target, and contents of a protected namespace cannot be
 * deleted.
 */
public final class MetadefService {
    private final Policy policy;
    private final MetadefRepository repo;
    private final Clock clock;
    private final MetadefEvents events;

    /** @param events told of every definition created, changed or deleted, once it is stored */
    public MetadefService(Policy policy, MetadefRepository repo, Clock clock, MetadefEvents events) {
        this.policy = policy;
        this.repo = repo;
        this.clock = clock;
        this.events = events;
    }

    // ---- namespaces

    @SuppressWarnings({"rawtypes", "unchecked"})
    public NamespacePage listNamespaces(RequestContext ctx, NamespaceQuery query) {
        enforce(ctx, null, "get_metadef_namespaces");
        enforce(ctx, null, "list_metadef_resource_types");
        List<Namespace> all = new ArrayList<>(repo.namespaces(query.resourceTypes()).stream()
                .filter(ns -> isVisible(ctx, ns))
                .filter(ns -> query.visibility().map(v -> v.equals(ns.visibility())).orElse(true))
                .toList());
        Comparator<Namespace> bySortKey = Comparator.comparing((Namespace ns) -> sortValue(ns, query.sortKey()),
                Comparator.nullsFirst(Comparator.<Comparable>naturalOrder()));
        Comparator<Namespace> order = bySortKey.thenComparing(Namespace::createdAt).thenComparing(Namespace::id);
        Comparator<Namespace> direction = query.ascending() ? order : order.reversed();
        all.sort(direction);
        int start = 0;
        if (query.marker().isPresent()) {
            // keyset: the page starts after the marker's place in the order, even if the marker itself is filtered out
            Namespace marker = visibleOrNotFound(ctx, query.marker().get(), false);
            while (start < all.size() && direction.compare(all.get(start), marker) <= 0) {
                start++;
            }
        }
        List<NamespaceView> page = new ArrayList<>();
        for (Namespace ns : all.subList(Math.min(start, all.size()), all.size())) {
            if (page.size() >= query.limit()) {
                break;
            }
            if (allows(ctx, ns, "get_metadef_namespace")) {
                page.add(new NamespaceView(ns, new NamespaceContents(repo.associations(ns.id()), List.of(), List.of(), List.of())));
            }
        }
        Optional<String> next = !page.isEmpty() && page.size() == query.limit()
                ? Optional.of(page.get(page.size() - 1).namespace().namespace()) : Optional.empty();
        return new NamespacePage(page, next);
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static Comparable sortValue(Namespace ns, String key) {
        return switch (key) {
            case "namespace" -> ns.namespace();
            case "display_name" -> ns.displayName().orElse(null);
            case "description" -> ns.description().orElse(null);
            case "visibility" -> ns.visibility();
            case "protected" -> ns.isProtected();
            case "owner" -> ns.owner();
            case "updated_at" -> ns.updatedAt();
            default -> ns.createdAt();
        };
    }

    /** The namespace with all its contents; {@code resourceType} prefixes property names as that type's association says. */
    public NamespaceView showNamespace(RequestContext ctx, String name, Optional<String> resourceType) {
        Namespace ns = visibleOrNotFound(ctx, name, false);
        if (!allows(ctx, ns, "get_metadef_namespace")) {
            throw GlintException.notFound("The resource could not be found.");
        }
        for (String rule : List.of("get_metadef_objects", "list_metadef_resource_types", "get_metadef_properties",
                "get_metadef_tags")) {
            enforce(ctx, ns, rule);
        }
        List<ResourceTypeAssociation> associations = repo.associations(ns.id());
        List<PropertyDefinition> properties = repo.properties(ns.id());
        List<MetadefObject> objects = repo.objects(ns.id());
        Optional<String> prefix = resourceType.flatMap(rt -> associations.stream()
                .filter(a -> a.name().equals(rt)).findFirst()).flatMap(ResourceTypeAssociation::prefix)
                .filter(p -> !p.isEmpty());
        if (prefix.isPresent()) {
            String p = prefix.get();
            properties = prefixed(properties, p);
            objects = objects.stream().map(o -> new MetadefObject(o.name(), o.description(),
                    o.required().map(r -> r.stream().map(n -> p + n).toList()), prefixed(o.properties(), p),
                    o.createdAt(), o.updatedAt())).toList();
        }
        return new NamespaceView(ns, new NamespaceContents(associations, properties, objects, repo.tags(ns.id())));
    }

    private static List<PropertyDefinition> prefixed(List<PropertyDefinition> properties, String prefix) {
        return properties.stream().map(p -> new PropertyDefinition(prefix + p.name(), p.schemaJson())).toList();
    }

    public NamespaceView createNamespace(RequestContext ctx, NamespaceFields fields, NamespaceContents contents) {
        enforce(ctx, null, "add_metadef_namespace");
        if (!contents.resourceTypes().isEmpty()) {
            enforce(ctx, null, "add_metadef_resource_type_association");
        }
        if (!contents.objects().isEmpty()) {
            enforce(ctx, null, "add_metadef_object");
        }
        if (!contents.properties().isEmpty()) {
            enforce(ctx, null, "add_metadef_property");
        }
        if (!contents.tags().isEmpty()) {
            enforce(ctx, null, "add_metadef_tag");
        }
        String name = fields.namespace();
        duplicate(contents.resourceTypes().stream().map(ResourceTypeAssociation::name).toList()).ifPresent(rt -> {
            throw GlintException.conflict("The metadata definition resource-type association of resource-type=" + rt
                    + " to namespace=" + name + " already exists.");
        });
        duplicate(contents.objects().stream().map(MetadefObject::name).toList()).ifPresent(o -> {
            throw GlintException.conflict("A metadata definition object with name=" + o
                    + " already exists in namespace=" + name + ".");
        });
        duplicate(contents.tags().stream().map(MetadefTag::name).toList()).ifPresent(t -> duplicateTag(t, name));
        Instant now = now();
        Namespace ns = new Namespace(UUID.randomUUID().toString(), name, fields.displayName(), fields.description(),
                fields.visibility().orElse("private"), fields.isProtected().orElse(false),
                fields.owner().orElse(ctx.projectId()), now, now);
        NamespaceContents stamped = new NamespaceContents(
                contents.resourceTypes().stream().map(a -> new ResourceTypeAssociation(a.name(), a.prefix(),
                        a.propertiesTarget(), now, now)).toList(),
                contents.properties(),
                contents.objects().stream().map(o -> new MetadefObject(o.name(), o.description(), o.required(),
                        o.properties(), now, now)).toList(),
                contents.tags().stream().map(t -> new MetadefTag(t.name(), now, now)).toList());
        if (!repo.createNamespace(ns, stamped)) {
            throw GlintException.conflict("The metadata definition namespace=" + name + " already exists.");
        }
        // in the order Glance's controller adds them
        events.namespace(MetadefEvents.Change.CREATE, ns, ns.namespace());
        events.resourceTypes(MetadefEvents.Change.CREATE, ns, stamped.resourceTypes());
        stamped.objects().forEach(o -> events.object(MetadefEvents.Change.CREATE, ns, o, o.name()));
        events.tags(MetadefEvents.Change.CREATE, ns, stamped.tags(), null);
        stamped.properties().forEach(p -> events.property(MetadefEvents.Change.CREATE, ns, p, p.name()));
        return new NamespaceView(ns, stamped);
    }

    /** PUT replaces the namespace's fields; absent optional ones take Glance's create defaults again. */
    public Namespace updateNamespace(RequestContext ctx, String name, NamespaceFields fields) {
        Namespace ns = visibleOrNotFound(ctx, name, true);
        enforce(ctx, ns, "modify_metadef_namespace");
        Namespace updated = new Namespace(ns.id(), fields.namespace(), fields.displayName(), fields.description(),
                fields.visibility().orElse("private"), fields.isProtected().orElse(false),
                fields.owner().orElse(ctx.projectId()), ns.createdAt(), now());
        if (!repo.updateNamespace(updated)) {
            throw GlintException.conflict("Invalid update. It would result in a duplicate metadata definition namespace"
                    + " with the same name of " + fields.namespace());
        }
        events.namespace(MetadefEvents.Change.UPDATE, updated, ns.namespace());
        return updated;
    }

    public void deleteNamespace(RequestContext ctx, String name) {
        Namespace ns = deletable(ctx, name, List.of("delete_metadef_namespace"));
        repo.deleteNamespace(ns.id());
        events.namespace(MetadefEvents.Change.DELETE, ns, ns.namespace());
    }

    public void deleteObjects(RequestContext ctx, String name) {
        Namespace ns = deletable(ctx, name, List.of("delete_metadef_namespace"));
        repo.deleteObjects(ns.id());
        events.namespaceEmptied(ns, "objects");
    }

    public void deleteProperties(RequestContext ctx, String name) {
        Namespace ns = deletable(ctx, name, List.of("delete_metadef_namespace"));
        repo.deleteProperties(ns.id());
        events.namespaceEmptied(ns, "properties");
    }

    public void deleteTags(RequestContext ctx, String name) {
        Namespace ns = deletable(ctx, name, List.of("delete_metadef_namespace", "delete_metadef_tags"));
        repo.deleteTags(ns.id());
        events.namespaceEmptied(ns, "tags");
    }

    private Namespace deletable(RequestContext ctx, String name, List<String> rules) {
        Namespace ns = visibleOrNotFound(ctx, name, true);
        rules.forEach(rule -> enforce(ctx, ns, rule));
        if (ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition namespace " + ns.namespace()
                    + " is protected and cannot be deleted.");
        }
        return ns;
    }

    // ---- objects

    public List<MetadefObject> listObjects(RequestContext ctx, String namespace) {
        Namespace ns = visibleOrNotFound(ctx, namespace, false);
        enforce(ctx, ns, "get_metadef_objects");
        return allows(ctx, ns, "get_metadef_object") ? repo.objects(ns.id()) : List.of();
    }

    public MetadefObject getObject(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, false);
        enforce(ctx, ns, "get_metadef_object");
        return object(ns, name);
    }

    public MetadefObject createObject(RequestContext ctx, String namespace, MetadefObject object) {
        Namespace ns = visibleOrNotFound(ctx, namespace, false);
        enforce(ctx, ns, "add_metadef_object");
        Instant now = now();
        MetadefObject stamped = new MetadefObject(object.name(), object.description(), object.required(),
                object.properties(), now, now);
        if (!repo.addObject(ns.id(), stamped)) {
            throw GlintException.conflict("A metadata definition object with name=" + object.name()
                    + " already exists in namespace=" + ns.namespace() + ".");
        }
        events.object(MetadefEvents.Change.CREATE, ns, stamped, stamped.name());
        return stamped;
    }

    public MetadefObject updateObject(RequestContext ctx, String namespace, String name, MetadefObject object) {
        Namespace ns = visibleOrNotFound(ctx, namespace, false);
        enforce(ctx, ns, "modify_metadef_object");
        MetadefObject old = object(ns, name);
        MetadefObject updated = new MetadefObject(object.name(), object.description(), object.required(),
                object.properties(), old.createdAt(), now());
        if (!repo.updateObject(ns.id(), name, updated)) {
            throw GlintException.conflict("Invalid update. It would result in a duplicate metadata definition object"
                    + " with the same name=" + object.name() + " in namespace=" + ns.namespace() + ".");
        }
        events.object(MetadefEvents.Change.UPDATE, ns, updated, name);
        return updated;
    }

    public void deleteObject(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, false);
        enforce(ctx, ns, "delete_metadef_object");
        MetadefObject object = object(ns, name);
        if (ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition object " + object.name()
                    + " is protected and cannot be deleted.");
        }
        repo.removeObject(ns.id(), name);
        events.object(MetadefEvents.Change.DELETE, ns, object, object.name());
    }

    private MetadefObject object(Namespace ns, String name) {
        return repo.findObject(ns.id(), name).orElseThrow(() -> GlintException.notFound(
                "The metadata definition object with name=" + name + " was not found in namespace="
                        + ns.namespace() + "."));
    }

    // ---- properties

    public List<PropertyDefinition> listProperties(RequestContext ctx, String namespace) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "get_metadef_properties");
        return repo.properties(ns.id());
    }

    /** With {@code resourceType}, {@code name} carries that association's prefix, which is taken off first. */
    public PropertyDefinition getProperty(RequestContext ctx, String namespace, String name, Optional<String> resourceType) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "get_metadef_property");
        String stored = name;
        if (resourceType.isPresent() && !resourceType.get().isEmpty()) {
            enforce(ctx, ns, "get_metadef_resource_type");
            ResourceTypeAssociation association = repo.associations(ns.id()).stream()
                    .filter(a -> a.name().equals(resourceType.get())).findFirst()
                    .orElseThrow(() -> GlintException.notFound("The metadata definition resource-type association of"
                            + " resource-type=" + resourceType.get() + " to namespace=" + ns.namespace()
                            + ", was not found."));
            String prefix = association.prefix().orElse("");
            if (prefix.isEmpty() || !name.startsWith(prefix)) {
                throw GlintException.notFound("Property " + name + " does not start with the expected resource type"
                        + " association prefix of '" + association.prefix().orElse("None") + "'.");
            }
            stored = name.substring(prefix.length());
        }
        return property(ns, stored);
    }

    public PropertyDefinition createProperty(RequestContext ctx, String namespace, PropertyDefinition property) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "add_metadef_property");
        if (!repo.addProperty(ns.id(), property, now())) {
            throw GlintException.conflict("A metadata definition property with name=" + property.name()
                    + " already exists in namespace=" + ns.namespace() + ".");
        }
        events.property(MetadefEvents.Change.CREATE, ns, property, property.name());
        return property;
    }

    public PropertyDefinition updateProperty(RequestContext ctx, String namespace, String name, PropertyDefinition property) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "modify_metadef_property");
        property(ns, name);
        if (!repo.updateProperty(ns.id(), name, property, now())) {
            throw GlintException.conflict("Invalid update. It would result in a duplicate metadata definition property"
                    + " with the same name=" + property.name() + " in namespace=" + ns.namespace() + ".");
        }
        events.property(MetadefEvents.Change.UPDATE, ns, property, name);
        return property;
    }

    public void deleteProperty(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "remove_metadef_property");
        PropertyDefinition property = property(ns, name);
        if (ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition property " + name + " is protected and cannot be deleted.");
        }
        repo.removeProperty(ns.id(), name);
        events.property(MetadefEvents.Change.DELETE, ns, property, property.name());
    }

    private PropertyDefinition property(Namespace ns, String name) {
        return repo.findProperty(ns.id(), name).orElseThrow(() -> GlintException.notFound(
                "The metadata definition property with name=" + name + " was not found in namespace="
                        + ns.namespace() + "."));
    }

    // ---- tags

    public List<MetadefTag> listTags(RequestContext ctx, String namespace) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "get_metadef_tags");
        return repo.tags(ns.id());
    }

    public MetadefTag getTag(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "get_metadef_tag");
        return tag(ns, name);
    }

    public MetadefTag createTag(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "add_metadef_tag");
        Instant now = now();
        MetadefTag tag = new MetadefTag(name, now, now);
        if (!repo.addTag(ns.id(), tag)) {
            duplicateTag(name, ns.namespace());
        }
        events.tags(MetadefEvents.Change.CREATE, ns, List.of(tag), null);
        return tag;
    }

    /** Several tags at once; without {@code append} they replace all of the namespace's tags (X-Openstack-Append). */
    public List<MetadefTag> createTags(RequestContext ctx, String namespace, List<String> names, boolean append) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "add_metadef_tags");
        duplicate(names).ifPresent(n -> duplicateTag(n, ns.namespace()));
        Instant now = now();
        List<MetadefTag> tags = names.stream().map(n -> new MetadefTag(n, now, now)).toList();
        if (!tags.isEmpty() && !repo.addTags(ns.id(), tags, append)) {
            Set<String> existing = new HashSet<>(repo.tags(ns.id()).stream().map(MetadefTag::name).toList());
            duplicateTag(names.stream().filter(existing::contains).findFirst().orElse(names.get(0)), ns.namespace());
        }
        events.tags(MetadefEvents.Change.CREATE, ns, tags, null);
        return tags;
    }

    public MetadefTag updateTag(RequestContext ctx, String namespace, String name, String newName) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "modify_metadef_tag");
        MetadefTag old = tag(ns, name);
        MetadefTag updated = new MetadefTag(newName, old.createdAt(), now());
        if (!repo.updateTag(ns.id(), name, updated)) {
            duplicateTag(newName, ns.namespace());
        }
        events.tags(MetadefEvents.Change.UPDATE, ns, List.of(updated), name);
        return updated;
    }

    public void deleteTag(RequestContext ctx, String namespace, String name) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "delete_metadef_tag");
        MetadefTag tag = tag(ns, name);
        if (ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition tag " + name + " is protected and cannot be deleted.");
        }
        repo.removeTag(ns.id(), name);
        events.tags(MetadefEvents.Change.DELETE, ns, List.of(tag), null);
    }

    private MetadefTag tag(Namespace ns, String name) {
        return repo.findTag(ns.id(), name).orElseThrow(() -> GlintException.notFound(
                "The metadata definition tag with name=" + name + " was not found in namespace=" + ns.namespace() + "."));
    }

    private void duplicateTag(String name, String namespace) {
        throw GlintException.conflict("A metadata tag with name=" + name + " already exists in namespace=" + namespace
                + ". (Please note that metadata tag names are case insensitive).");
    }

    // ---- resource types

    public List<ResourceType> listResourceTypes(RequestContext ctx) {
        enforce(ctx, null, "list_metadef_resource_types");
        return repo.resourceTypes();
    }

    public List<ResourceTypeAssociation> listAssociations(RequestContext ctx, String namespace) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "list_metadef_resource_types");
        return allows(ctx, ns, "get_metadef_resource_type") ? repo.associations(ns.id()) : List.of();
    }

    public ResourceTypeAssociation associate(RequestContext ctx, String namespace, ResourceTypeAssociation association) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "add_metadef_resource_type_association");
        Instant now = now();
        ResourceTypeAssociation stamped = new ResourceTypeAssociation(association.name(), association.prefix(),
                association.propertiesTarget(), now, now);
        if (!repo.associate(ns.id(), stamped)) {
            throw GlintException.conflict("The metadata definition resource-type association of resource-type="
                    + association.name() + " to namespace=" + ns.namespace() + " already exists.");
        }
        events.resourceTypes(MetadefEvents.Change.CREATE, ns, List.of(stamped));
        return stamped;
    }

    public void dissociate(RequestContext ctx, String namespace, String resourceType) {
        Namespace ns = visibleOrNotFound(ctx, namespace, true);
        enforce(ctx, ns, "remove_metadef_resource_type_association");
        Optional<ResourceTypeAssociation> association = repo.associations(ns.id()).stream()
                .filter(a -> a.name().equals(resourceType)).findFirst();
        if (association.isPresent() && ns.isProtected()) {
            throw GlintException.forbidden("Metadata definition resource-type-association " + resourceType
                    + " is protected and cannot be deleted.");
        }
        if (association.isEmpty() || !repo.dissociate(ns.id(), resourceType)) {
            throw GlintException.notFound("Failed to find resource type " + resourceType + " to delete");
        }
        events.resourceTypes(MetadefEvents.Change.DELETE, ns, List.of(association.get()));
    }

    /** Whether a namespace of that name exists, whoever owns it (for the operator's loader, not for callers). */
    public boolean exists(String name) {
        return repo.findNamespace(name).isPresent();
    }

    // ---- visibility and policy

    /**
     * Glance's {@code _is_namespace_visible}: admins see all, everyone sees public namespaces, a project its own.
     * A namespace the caller may not see answers 404: "Namespace X not found" ({@code namespaceMessage}, as most
     * controllers say) or, when it does not exist at all, the repository's message.
     */
    private Namespace visibleOrNotFound(RequestContext ctx, String name, boolean namespaceMessage) {
        GlintException hidden = GlintException.notFound("Namespace " + name + " not found");
        Namespace ns = repo.findNamespace(name).orElseThrow(() -> namespaceMessage ? hidden
                : GlintException.notFound("Metadata definition namespace=" + name + " was not found."));
        if (!isVisible(ctx, ns)) {
            throw hidden;
        }
        return ns;
    }

    static boolean isVisible(RequestContext ctx, Namespace ns) {
        return ctx.isAdmin() || ns.isPublic() || (ctx.projectId() != null && ctx.projectId().equals(ns.owner()));
    }

    /** MetadefAPIPolicy._enforce: a refusal is 404 when the caller may not even get the namespace, else 403. */
    private void enforce(RequestContext ctx, Namespace ns, String rule) {
        if (policy.allows(rule, ctx, target(ctx, ns))) {
            return;
        }
        if (rule.equals("get_metadef_namespace") || !policy.allows("get_metadef_namespace", ctx, target(ctx, ns))) {
            throw GlintException.notFound("The resource could not be found.");
        }
        throw GlintException.forbidden("You are not authorized to complete " + rule + " action.");
    }

    private boolean allows(RequestContext ctx, Namespace ns, String rule) {
        return policy.allows(rule, ctx, target(ctx, ns));
    }

    private static PolicyTarget target(RequestContext ctx, Namespace ns) {
        if (ns == null) {
            return PolicyTarget.of(ctx.projectId() == null ? Map.of() : Map.of("project_id", ctx.projectId()));
        }
        return PolicyTarget.of(Map.of("project_id", ns.owner(), "visibility", ns.visibility()));
    }

    private static Optional<String> duplicate(List<String> names) {
        Set<String> seen = new HashSet<>();
        return names.stream().filter(n -> !seen.add(n)).findFirst();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
