package glint.policy;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Glance's default policy rules, verbatim from glance/policies/base.py, image.py and metadef.py (secure RBAC, 2023.1+). */
public final class GlanceDefaults {
    private GlanceDefaults() {}

    static final String PROJECT_MEMBER = "role:member and project_id:%(project_id)s";
    static final String PROJECT_READER = "role:reader and project_id:%(project_id)s";
    static final String IMAGE_MEMBER_CHECK = "project_id:%(member_id)s";
    static final String VISIBLE = "(project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK
            + " or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s)";
    static final String ADMIN_OR_PROJECT_MEMBER = "role:admin or (" + PROJECT_MEMBER + ")";
    static final String ADMIN_OR_PROJECT_READER = "role:admin or (" + PROJECT_READER + ")";
    static final String ADMIN_OR_PROJECT_READER_GET_NAMESPACE =
            "role:admin or (role:reader and (project_id:%(project_id)s or 'public':%(visibility)s))";
    /** glance/policies/metadef.py: reads are ADMIN_OR_PROJECT_READER_GET_NAMESPACE, writes rule:metadef_admin. */
    static final List<String> METADEF_READS = List.of("get_metadef_namespace", "get_metadef_object",
            "get_metadef_objects", "list_metadef_resource_types", "get_metadef_resource_type", "get_metadef_property",
            "get_metadef_properties", "get_metadef_tag", "get_metadef_tags");
    static final List<String> METADEF_WRITES = List.of("modify_metadef_namespace",
            "add_metadef_namespace", "delete_metadef_namespace", "modify_metadef_object", "add_metadef_object",
            "delete_metadef_object", "add_metadef_resource_type_association", "remove_metadef_resource_type_association",
            "modify_metadef_property", "add_metadef_property", "remove_metadef_property", "modify_metadef_tag",
            "add_metadef_tag", "add_metadef_tags", "delete_metadef_tag", "delete_metadef_tags");

    public static final Map<String, String> RULES;
    /** Rules with {@code scope_types=['project']}. */
    public static final Set<String> PROJECT_SCOPED;

    static {
        Map<String, String> r = new LinkedHashMap<>();
        r.put("default", "");
        r.put("context_is_admin", "role:admin");
        r.put("add_image", "role:admin or (" + PROJECT_MEMBER + " and project_id:%(owner)s)");
        r.put("delete_image", ADMIN_OR_PROJECT_MEMBER);
        r.put("get_image", "role:admin or (role:reader and " + VISIBLE + ")");
        r.put("get_images", ADMIN_OR_PROJECT_READER);
        r.put("modify_image", ADMIN_OR_PROJECT_MEMBER);
        r.put("publicize_image", "role:admin");
        r.put("communitize_image", ADMIN_OR_PROJECT_MEMBER);
        r.put("download_image", "role:admin or (role:member and " + VISIBLE + ")");
        r.put("upload_image", ADMIN_OR_PROJECT_MEMBER);
        r.put("delete_image_location", "role:admin");
        r.put("get_image_location", ADMIN_OR_PROJECT_READER);
        r.put("set_image_location", ADMIN_OR_PROJECT_MEMBER);
        // glance/policies/base.py service_api; image.py's 2.17 location API; discovery.py (service role since 2025.1)
        r.put("service_api", "role:service or role:admin");
        r.put("add_image_location", "rule:service_api or (" + PROJECT_MEMBER + " and project_id:%(owner)s)");
        r.put("fetch_image_location", "rule:service_api");
        r.put("stores_info_detail", "role:admin or rule:service_api");
        r.put("add_member", ADMIN_OR_PROJECT_MEMBER);
        r.put("delete_member", ADMIN_OR_PROJECT_MEMBER);
        r.put("get_member", "role:admin or role:reader and (project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK + ")");
        r.put("get_members", "role:admin or role:reader and (project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK + ")");
        r.put("modify_member", "role:admin or (role:member and " + IMAGE_MEMBER_CHECK + ")");
        r.put("manage_image_cache", "role:admin");
        r.put("deactivate", ADMIN_OR_PROJECT_MEMBER);
        r.put("reactivate", ADMIN_OR_PROJECT_MEMBER);
        r.put("copy_image", "role:admin");
        r.put("tasks_api_access", "role:admin"); // glance/policies/tasks.py
        // glance/policies/cache.py (API 2.14+): base.ADMIN, scope project; Glance 25 clears the cache under cache_delete
        r.put("cache_image", "role:admin");
        r.put("cache_list", "role:admin");
        r.put("cache_delete", "role:admin");
        r.put("metadef_default", "");
        r.put("metadef_admin", "role:admin");
        METADEF_READS.forEach(rule -> r.put(rule, ADMIN_OR_PROJECT_READER_GET_NAMESPACE));
        r.put("get_metadef_namespaces", ADMIN_OR_PROJECT_READER);
        METADEF_WRITES.forEach(rule -> r.put(rule, "rule:metadef_admin"));
        RULES = Map.copyOf(r);
        Set<String> scoped = new HashSet<>(METADEF_READS);
        scoped.addAll(METADEF_WRITES);
        scoped.add("get_metadef_namespaces");
        scoped.addAll(Set.of("add_image", "delete_image", "get_image", "get_images", "modify_image", "publicize_image",
                "communitize_image", "download_image", "upload_image", "delete_image_location", "get_image_location",
                "set_image_location", "add_image_location", "fetch_image_location", "stores_info_detail", "add_member", "delete_member", "get_member", "get_members", "modify_member",
                "manage_image_cache", "deactivate", "reactivate", "copy_image", "cache_image", "cache_list", "cache_delete",
                "tasks_api_access"));
        PROJECT_SCOPED = Set.copyOf(scoped);
    }
}
