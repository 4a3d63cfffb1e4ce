package glint.image;

/** A journal entry for data that no active image owns (an upload under way, or a deleted image's data). */
public record PendingData(String id, String storeId, String location, String imageId, String node) {}
