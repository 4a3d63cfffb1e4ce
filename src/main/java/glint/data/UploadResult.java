package glint.data;

import java.util.OptionalLong;

/**
 * What one pass over uploaded data yields, committed under {@code location}: its size, MD5 hex (Glance's
 * {@code checksum}), the {@code os_hash_algo} and its hex digest ({@code os_hash_value}), and the virtual size its
 * {@link ContentCheck} found, if any.
 */
public record UploadResult(long size, String md5, String hashAlgorithm, String hashValue, String location,
                           OptionalLong virtualSize) {}
