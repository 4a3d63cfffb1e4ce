package glint.policy;

import glint.auth.RequestContext;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * Glance's secure-RBAC default rules (glance/policies/base.py and image.py, 2023.1+ defaults), written out.
 * Unknown rules are denied.
 */
public final class DefaultPolicy implements Policy {
    private final Map<String, BiPredicate<RequestContext, PolicyTarget>> rules = Map.ofEntries(
            Map.entry("add_image", (c, t) -> admin(c) || (projectMember(c, t) && sameProject(c, t, "owner"))),
            Map.entry("get_image", (c, t) -> admin(c) || (c.hasRole("reader") && visibleToProject(c, t))),
            Map.entry("get_images", (c, t) -> admin(c) || projectReader(c, t)),
            Map.entry("modify_image", DefaultPolicy::adminOrProjectMember),
            Map.entry("delete_image", DefaultPolicy::adminOrProjectMember),
            Map.entry("upload_image", DefaultPolicy::adminOrProjectMember),
            Map.entry("download_image", (c, t) -> admin(c) || (c.hasRole("member") && visibleToProject(c, t))),
            Map.entry("publicize_image", (c, t) -> admin(c)),
            Map.entry("communitize_image", DefaultPolicy::adminOrProjectMember),
            Map.entry("deactivate", DefaultPolicy::adminOrProjectMember),
            Map.entry("reactivate", DefaultPolicy::adminOrProjectMember),
            Map.entry("add_member", DefaultPolicy::adminOrProjectMember),
            Map.entry("delete_member", DefaultPolicy::adminOrProjectMember),
            Map.entry("get_member", (c, t) -> admin(c) || (c.hasRole("reader") && (sameProject(c, t, "project_id")
                    || sameProject(c, t, "member_id")))),
            Map.entry("get_members", (c, t) -> admin(c) || (c.hasRole("reader") && (sameProject(c, t, "project_id")
                    || sameProject(c, t, "member_id")))),
            Map.entry("modify_member", (c, t) -> admin(c) || (c.hasRole("member") && sameProject(c, t, "member_id"))));

    @Override
    public boolean allows(String rule, RequestContext context, PolicyTarget target) {
        BiPredicate<RequestContext, PolicyTarget> check = rules.get(rule);
        return check != null && check.test(context, target);
    }

    private static boolean admin(RequestContext c) {
        return c.hasRole("admin");
    }

    private static boolean adminOrProjectMember(RequestContext c, PolicyTarget t) {
        return admin(c) || projectMember(c, t);
    }

    private static boolean projectMember(RequestContext c, PolicyTarget t) {
        return c.hasRole("member") && sameProject(c, t, "project_id");
    }

    private static boolean projectReader(RequestContext c, PolicyTarget t) {
        return c.hasRole("reader") && sameProject(c, t, "project_id");
    }

    /** {@code project_id:%(project_id)s or project_id:%(member_id)s or 'community'/'public'/'shared':%(visibility)s}. */
    private static boolean visibleToProject(RequestContext c, PolicyTarget t) {
        String visibility = t.get("visibility").orElse("");
        return sameProject(c, t, "project_id") || sameProject(c, t, "member_id")
                || visibility.equals("community") || visibility.equals("public") || visibility.equals("shared");
    }

    private static boolean sameProject(RequestContext c, PolicyTarget t, String key) {
        return c.projectId() != null && Objects.equals(c.projectId(), t.get(key).orElse(null));
    }
}
