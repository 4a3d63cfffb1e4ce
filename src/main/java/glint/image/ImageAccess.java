package glint.image;

import glint.auth.RequestContext;
import glint.error.GlintException;
import glint.policy.Policy;
import glint.policy.PolicyTarget;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Who may see and do what to an image: Glance's {@code is_image_visible} (glance/db/sqlalchemy/api.py) followed by
 * the policy rule, with Glance's translation of a refusal into 404 when the caller may not even see the image
 * ({@code ImageAPIPolicy._enforce} in glance/api/v2/policy.py).
 */
public final class ImageAccess {
    private final Policy policy;
    private final ImageRepository images;

    public ImageAccess(Policy policy, ImageRepository images) {
        this.policy = policy;
        this.images = images;
    }

    /** The live image if the caller may see it, else 404 exactly as for a missing image. */
    public Image visible(RequestContext ctx, String id) {
        Image image = images.find(id).orElseThrow(() -> notFound(id));
        Optional<MemberStatus> membership = membership(ctx, image);
        if (!isVisible(ctx, image, membership) || !policy.allows("get_image", ctx, target(image, ctx, membership))) {
            throw notFound(id);
        }
        return image;
    }

    /** Enforces {@code rule} on a visible image: 403 if refused (Glance says 404 when get_image is refused too). */
    public void enforce(String rule, RequestContext ctx, Image image) {
        Optional<MemberStatus> membership = membership(ctx, image);
        PolicyTarget target = target(image, ctx, membership);
        if (!policy.allows(rule, ctx, target)) {
            if (!policy.allows("get_image", ctx, target)) {
                throw notFound(image.id());
            }
            throw GlintException.forbidden("You are not authorized to complete " + rule + " action.");
        }
    }

    public boolean allows(String rule, RequestContext ctx, Image image) {
        return policy.allows(rule, ctx, target(image, ctx, membership(ctx, image)));
    }

    /** Rules checked against a target that is not an existing image (add_image, get_images). */
    public boolean allows(String rule, RequestContext ctx, Map<String, String> target) {
        return policy.allows(rule, ctx, PolicyTarget.of(target));
    }

    /** Glance's {@code _enforce_image_visibility}: publicizing and communitizing have rules of their own. */
    public void enforceVisibilityChange(RequestContext ctx, Visibility visibility, Map<String, String> target) {
        String rule = switch (visibility) {
            case PUBLIC -> "publicize_image";
            case COMMUNITY -> "communitize_image";
            default -> null;
        };
        if (rule != null && !policy.allows(rule, ctx, PolicyTarget.of(target))) {
            throw GlintException.forbidden("You are not authorized to complete " + rule + " action.");
        }
    }

    static boolean isVisible(RequestContext ctx, Image image, Optional<MemberStatus> membership) {
        if (ctx.isAdmin() || image.owner().isEmpty()) {
            return true;
        }
        if (image.visibility() == Visibility.PUBLIC || image.visibility() == Visibility.COMMUNITY) {
            return true;
        }
        if (ctx.projectId() == null) {
            return false;
        }
        return ctx.projectId().equals(image.owner().get())
                || (image.visibility() == Visibility.SHARED && membership.isPresent());
    }

    private Optional<MemberStatus> membership(RequestContext ctx, Image image) {
        if (ctx.projectId() == null || image.visibility() != Visibility.SHARED
                || ctx.projectId().equals(image.owner().orElse(null))) {
            return Optional.empty();
        }
        return images.memberStatus(image.id(), ctx.projectId());
    }

    public static PolicyTarget target(Image image, RequestContext ctx, Optional<MemberStatus> membership) {
        Map<String, String> t = new HashMap<>(image.properties());
        image.owner().ifPresent(o -> {
            t.put("project_id", o);
            t.put("owner", o);
        });
        t.put("visibility", image.visibility().wire());
        t.put("id", image.id());
        t.put("status", image.status().wire());
        if (membership.isPresent() && ctx.projectId() != null) {
            t.put("member_id", ctx.projectId());
        }
        return PolicyTarget.of(t);
    }

    static GlintException notFound(String id) {
        return GlintException.notFound("No image found with ID " + id);
    }
}
