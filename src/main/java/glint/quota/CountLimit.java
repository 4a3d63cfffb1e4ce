package glint.quota;

/**
 * A count quota to check in the same transaction as the write that adds to it (an image created, or turned
 * uploading), under the project's lock: the write is made only if the count before it, plus one, is within
 * {@code limit}. Glance counts after writing, so two concurrent writes may both fail or both pass.
 */
public record CountLimit(String project, QuotaResource resource, long limit) {
    /** What a counted write found: whether it was within the limit, and the count before it. */
    public record Outcome(boolean within, long before) {}
}
