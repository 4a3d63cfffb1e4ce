package glint.image;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Persistence of image members (implemented in {@code glint.db}). */
public interface MemberRepository {
    List<ImageMember> list(String imageId);

    Optional<ImageMember> find(String imageId, String memberId);

    /** False when the project is already a member. */
    boolean add(ImageMember member);

    void updateStatus(String imageId, String memberId, MemberStatus status, Instant at);

    void remove(String imageId, String memberId);
}
