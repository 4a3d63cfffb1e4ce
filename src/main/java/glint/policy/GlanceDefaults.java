package glint.policy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** Glance's default policy rules, verbatim from glance/policies/base.py and image.py (secure RBAC, 2023.1+). */
public final class GlanceDefaults {
    private GlanceDefaults() {}

    static final String PROJECT_MEMBER = "role:member and project_id:%(project_id)s";
    static final String PROJECT_READER = "role:reader and project_id:%(project_id)s";
    static final String IMAGE_MEMBER_CHECK = "project_id:%(member_id)s";
    static final String VISIBLE = "(project_id:%(project_id)s or " + IMAGE_MEMBER_CHECK
            + " or 'community':%(visibility)s or 'public':%(visibility)s or 'shared':%(visibility)s)";
    static final String ADMIN_OR_PROJECT_MEMBER = "role:admin or (" + PROJECT_MEMBER + ")";
    static final String ADMIN_OR_PROJECT_READER = "role:admin or (" + PROJECT_READER + ")";

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
        RULES = Map.copyOf(r);
        PROJECT_SCOPED = Set.of("add_image", "delete_image", "get_image", "get_images", "modify_image", "publicize_image",
                "communitize_image", "download_image", "upload_image", "delete_image_location", "get_image_location",
                "set_image_location", "add_member", "delete_member", "get_member", "get_members", "modify_member",
                "manage_image_cache", "deactivate", "reactivate", "copy_image", "tasks_api_access");
    }
}
