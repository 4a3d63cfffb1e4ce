package glint.image;

import glint.auth.RequestContext;
import glint.error.ErrorKind;
import glint.error.GlintException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/**
 * Image sharing (Glance's ImageMembersController, glance/api/v2/image_members.py): only {@code shared} images have
 * members; the owner adds and removes them; only the member answers (pending → accepted / rejected); a member sees
 * its own membership, the owner sees all.
 */
public final class MemberService {
    private final ImageAccess access;
    private final MemberRepository members;
    private final int memberQuota;
    private final Clock clock;
    private final ImageEvents events;

    /** @param events told of every membership created, answered or removed, once it is stored */
    public MemberService(ImageAccess access, MemberRepository members, int memberQuota, Clock clock, ImageEvents events) {
        this.access = access;
        this.members = members;
        this.memberQuota = memberQuota;
        this.clock = clock;
        this.events = events;
    }

    public List<ImageMember> list(RequestContext ctx, String imageId) {
        Image image = access.visible(ctx, imageId);
        if (image.visibility() != Visibility.SHARED) {
            throw GlintException.forbidden("Not allowed to list members for image " + imageId + ": Only shared images have members.");
        }
        access.enforce("get_members", ctx, image);
        return members.list(imageId).stream().filter(m -> canSee(ctx, image, m)).toList();
    }

    public ImageMember get(RequestContext ctx, String imageId, String memberId) {
        Image image = access.visible(ctx, imageId);
        if (image.visibility() != Visibility.SHARED) {
            throw GlintException.notFound("Only shared images have members.");
        }
        return lookup(ctx, image, memberId);
    }

    public ImageMember add(RequestContext ctx, String imageId, String memberId) {
        Image image = access.visible(ctx, imageId);
        if (image.visibility() != Visibility.SHARED || !access.allows("add_member", ctx, image)) {
            throw GlintException.forbidden("Not allowed to create members for image " + imageId + ".");
        }
        if (members.list(imageId).size() >= memberQuota) {
            throw new GlintException(ErrorKind.TOO_LARGE, "Image member limit exceeded for image " + imageId
                    + ": The limit has been exceeded on the number of allowed image members for this image. Attempted: "
                    + (memberQuota + 1) + ", Maximum: " + memberQuota + ":");
        }
        Instant now = now();
        ImageMember member = new ImageMember(imageId, memberId, MemberStatus.PENDING, now, now);
        if (!members.add(member)) {
            throw GlintException.conflict("Member " + memberId + " is duplicated for image " + imageId);
        }
        events.memberCreated(member);
        return member;
    }

    public ImageMember update(RequestContext ctx, String imageId, String memberId, MemberStatus status) {
        Image image = access.visible(ctx, imageId);
        if (image.visibility() != Visibility.SHARED) {
            throw GlintException.forbidden("Not allowed to update members for image " + imageId + ".");
        }
        ImageMember member = lookup(ctx, image, memberId);
        if (!access.allows("modify_member", ctx, image) || !memberId.equals(ctx.projectId()) && !ctx.isAdmin()) {
            throw GlintException.forbidden("Not allowed to update members for image " + imageId + ".");
        }
        Instant now = now();
        members.updateStatus(imageId, memberId, status, now);
        ImageMember updated = new ImageMember(imageId, memberId, status, member.createdAt(), now);
        events.memberUpdated(updated);
        return updated;
    }

    public void remove(RequestContext ctx, String imageId, String memberId) {
        Image image = access.visible(ctx, imageId);
        if (image.visibility() != Visibility.SHARED) {
            throw GlintException.forbidden("Not allowed to delete members for image " + imageId + ".");
        }
        ImageMember member = lookup(ctx, image, memberId);
        if (!access.allows("delete_member", ctx, image)) {
            throw GlintException.forbidden("You cannot delete image member.");
        }
        members.remove(imageId, memberId);
        events.memberDeleted(member);
    }

    private ImageMember lookup(RequestContext ctx, Image image, String memberId) {
        GlintException notFound = GlintException.notFound(memberId + " not found in the member list of the image " + image.id() + ".");
        if (!access.allows("get_member", ctx, image)) {
            throw notFound;
        }
        ImageMember member = members.find(image.id(), memberId).orElseThrow(() -> notFound);
        if (!canSee(ctx, image, member)) {
            throw notFound;
        }
        return member;
    }

    /** Glance's member query: admins and the owner see every member, a member project only itself. */
    private static boolean canSee(RequestContext ctx, Image image, ImageMember member) {
        return ctx.isAdmin() || (ctx.projectId() != null
                && (ctx.projectId().equals(image.owner().orElse(null)) || ctx.projectId().equals(member.memberId())));
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
