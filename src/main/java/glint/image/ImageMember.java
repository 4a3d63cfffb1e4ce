package glint.image;

import java.time.Instant;

/** A project an image is shared with, and its answer. */
public record ImageMember(String imageId, String memberId, MemberStatus status, Instant createdAt, Instant updatedAt) {}
