package glint.store.s3;

import glint.store.StoreOptions;

import java.net.URI;
import java.util.Locale;
import java.util.Map;

/**
 * An s3 store's options, with glance_store's names and defaults ({@code glance_store/_drivers/s3.py}), read from the
 * store's section ({@code [name]} for {@code enabled_backends = name:s3}, {@code [glance_store]} for the single store).
 *
 * @param host {@code s3_store_host}: {@code host[:port]} (http), {@code http://…} or {@code https://…}
 * @param largeObjectSize {@code s3_store_large_object_size} in bytes (the option is in MB): a blob smaller than this
 *     and than one part goes up in a single PUT
 * @param chunkSize {@code s3_store_large_object_chunk_size} in bytes (the option is in MB, at least 5): the part size
 * @param threadPools {@code s3_store_thread_pools}: parts uploaded at once
 * @param region {@code s3_store_region_name}; empty: from the host as glance_store does, else {@code us-east-1}
 * @param requestChecksums {@code s3_store_request_checksum_calculation} if
 *     {@code s3_store_enable_data_integrity_protection}, else {@code when_required} (glance_store's default)
 */
public record S3Options(String host, String accessKey, String secretKey, String bucket, boolean createBucketOnPut,
                        UrlFormat urlFormat, long largeObjectSize, int chunkSize, int threadPools, String region,
                        String requestChecksums, String responseChecksums) {
    static final int MIN_CHUNK_MB = 5;
    /** Parts are heap arrays: a part of a GiB is already far past what S3 clients use. */
    static final int MAX_CHUNK_MB = 1024;
    private static final long MB = 1L << 20;

    /** {@code s3_store_bucket_url_format}. */
    public enum UrlFormat { AUTO, PATH, VIRTUAL }

    @Override
    public String toString() { // never the keys
        return "S3Options[" + host + ", bucket " + bucket + ", parts of " + chunkSize / MB + " MiB × " + threadPools + "]";
    }

    /**
     * @throws IllegalArgumentException naming the store and the option, as glance_store's BadStoreConfiguration
     */
    public static S3Options parse(String storeId, Map<String, String> options) {
        StoreOptions r = new StoreOptions(storeId, options);
        int chunkMb = r.intValue("s3_store_large_object_chunk_size", 10);
        if (chunkMb < MIN_CHUNK_MB || chunkMb > MAX_CHUNK_MB) {
            throw r.bad("s3_store_large_object_chunk_size must be at least " + MIN_CHUNK_MB + " MB (and at most "
                    + MAX_CHUNK_MB + "), not " + chunkMb);
        }
        int threads = r.intValue("s3_store_thread_pools", 10);
        if (threads <= 0) {
            throw r.bad("s3_store_thread_pools must be a positive integer, not " + threads);
        }
        int largeMb = r.intValue("s3_store_large_object_size", 100);
        if (largeMb < 0) {
            throw r.bad("s3_store_large_object_size must not be negative, not " + largeMb);
        }
        String format = r.optional("s3_store_bucket_url_format").orElse("auto").toLowerCase(Locale.ROOT);
        UrlFormat urlFormat = switch (format) {
            case "auto" -> UrlFormat.AUTO;
            case "path" -> UrlFormat.PATH;
            case "virtual" -> UrlFormat.VIRTUAL;
            default -> throw r.bad("s3_store_bucket_url_format must be auto, path or virtual, not '" + format + "'");
        };
        boolean integrity = r.bool("s3_store_enable_data_integrity_protection", false);
        String request = integrity ? checksumMode(r, "s3_store_request_checksum_calculation") : "when_required";
        String response = integrity ? checksumMode(r, "s3_store_response_checksum_validation") : "when_required";
        S3Options o = new S3Options(r.required("s3_store_host"), r.required("s3_store_access_key"),
                r.required("s3_store_secret_key"), r.required("s3_store_bucket"), r.bool("s3_store_create_bucket_on_put", false),
                urlFormat, largeMb * MB, (int) (chunkMb * MB), threads, r.optional("s3_store_region_name").orElse(""),
                request, response);
        o.endpoint(); // refuses a host that is no URL
        return o;
    }

    /** Whether the service speaks https: {@code s3+https} locations, as glance_store. */
    public boolean https() {
        return host.strip().toLowerCase(Locale.ROOT).startsWith("https://");
    }

    /** The host as it appears in locations: without scheme and trailing slashes, as glance_store's {@code s3serviceurl}. */
    public String locationHost() {
        String h = host.strip();
        int scheme = h.indexOf("://");
        if (scheme >= 0) {
            h = h.substring(scheme + 3);
        }
        while (h.endsWith("/")) {
            h = h.substring(0, h.length() - 1);
        }
        return h;
    }

    /** The service's URL: {@code http://} unless the host says {@code https://}, as glance_store. */
    public URI endpoint() {
        String h = host.strip();
        String url = h.contains("://") ? h : "http://" + h;
        try {
            URI uri = URI.create(url);
            if (uri.getHost() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
                throw new IllegalArgumentException("no host");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("s3_store_host: not a host or URL: '" + host + "'", e);
        }
    }

    /**
     * The signing region: {@code s3_store_region_name}, else the one in an AWS host name
     * ({@code s3-eu-west-1.amazonaws.com}, {@code s3.eu-west-1.amazonaws.com}), else {@code us-east-1}, which
     * S3-compatible services accept.
     */
    public String signingRegion() {
        if (!region.isBlank()) {
            return region.strip();
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("s3[.-]([a-z]{2}(-[a-z]+)+-\\d)\\.amazonaws\\.com(\\.cn)?")
                .matcher(endpoint().getHost());
        return m.matches() ? m.group(1) : "us-east-1";
    }

    /** {@code when_required} (glance_store's default) or {@code when_supported}. */
    private static String checksumMode(StoreOptions r, String name) {
        String v = r.optional(name).orElse("when_required").toLowerCase(Locale.ROOT);
        if (!v.equals("when_required") && !v.equals("when_supported")) {
            throw r.bad(name + " must be when_required or when_supported, not '" + v + "'");
        }
        return v;
    }
}
