package glint.data;

/** What one pass over uploaded data yields: its size, MD5 (Glance's {@code checksum}) and {@code os_hash_*}. */
public record UploadResult(long size, String md5, String hashAlgorithm, String hashValue) {}
