package glint.image;

/** Where one copy of an image's data lives: a store id and the store's own key for it. */
public record ImageLocation(String storeId, String key, String status) {}
