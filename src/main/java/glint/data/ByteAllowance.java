package glint.data;

/**
 * How many bytes an upload may still bring, asked as they stream in ({@link UploadPipeline}): a project's quota
 * ({@code glint.quota.Reservation}). Each call names the upload's total so far; a refusal stops the upload before the
 * piece that crossed the allowance is written.
 */
public interface ByteAllowance {
    /** No quota. */
    ByteAllowance NONE = new ByteAllowance() {
        @Override
        public void announce(long size) {}

        @Override
        public void require(long total) {}
    };

    /**
     * Before the first byte, the size the client announced: refused at once when it cannot fit (Glance's pre-check
     * with a known size).
     *
     * @throws glint.error.GlintException TOO_LARGE
     */
    void announce(long size);

    /**
     * The upload has {@code total} bytes so far (0: before the first, unknown size).
     *
     * @throws glint.error.GlintException TOO_LARGE when they do not fit
     */
    void require(long total);
}
