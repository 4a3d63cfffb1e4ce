package glint.store.s3;

import java.time.Duration;
import java.util.regex.Pattern;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The SDK's synchronous S3 client for a store's options: the store's endpoint, keys and region, path or virtual-host
 * addressing, glance_store's checksum defaults, and the Apache 5 HTTP client with a connection per part in flight.
 *
 * <p>Failures are retried, and bounded, explicitly rather than by the SDK's defaults of the day: the SDK's standard
 * retry strategy (exponential back-off with jitter, for a refused or reset connection, a timeout, 500, 502, 503, 504
 * and throttling) with {@link #MAX_ATTEMPTS} attempts per request; a connection must open within
 * {@link #CONNECT_TIMEOUT}, and a request whose socket stays silent for {@link #SOCKET_TIMEOUT} fails. So a service
 * that is down fails a request within seconds (refused) and one that hangs within {@code MAX_ATTEMPTS ×
 * SOCKET_TIMEOUT}, never later; no whole-call timeout, which a part of a GiB on a slow link would outlast.
 *
 * <p>Every request carries the id of the API request it serves ({@link RequestIdHeader}).
 */
public final class S3Clients {
    /** boto's rule for a bucket name usable as a host name label (botocore.utils.check_dns_name). */
    private static final Pattern DNS_BUCKET = Pattern.compile("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");

    /** Attempts per request, the first included: the default of boto's standard retry mode. */
    static final int MAX_ATTEMPTS = 3;
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);

    private S3Clients() {}

    public static S3Client create(S3Options o) {
        return S3Client.builder()
                .endpointOverride(o.endpoint())
                .region(Region.of(o.signingRegion()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(o.accessKey(), o.secretKey())))
                .forcePathStyle(pathStyle(o))
                .requestChecksumCalculation(o.requestChecksums().equals("when_supported")
                        ? RequestChecksumCalculation.WHEN_SUPPORTED : RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(o.responseChecksums().equals("when_supported")
                        ? ResponseChecksumValidation.WHEN_SUPPORTED : ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.standardRetryStrategy().toBuilder()
                        .maxAttempts(MAX_ATTEMPTS).build())
                        .addExecutionInterceptor(new RequestIdHeader()))
                .httpClient(Apache5HttpClient.builder()
                        .maxConnections(o.threadPools() + 16) // the parts in flight, plus reads and small requests
                        .connectionTimeout(CONNECT_TIMEOUT)
                        .socketTimeout(SOCKET_TIMEOUT)
                        .build())
                .build();
    }

    /**
     * {@code s3_store_bucket_url_format}: {@code path}, {@code virtual}, or {@code auto} as boto's: virtual-host
     * addressing when the bucket name can be a host name label and the endpoint is a DNS name, else path style (an
     * IP address or {@code localhost} cannot take a bucket label).
     */
    static boolean pathStyle(S3Options o) {
        return switch (o.urlFormat()) {
            case PATH -> true;
            case VIRTUAL -> {
                if (!DNS_BUCKET.matcher(o.bucket()).matches()) {
                    throw new IllegalArgumentException("s3_store_bucket_url_format = virtual: bucket '" + o.bucket()
                            + "' is not a valid DNS name");
                }
                yield false;
            }
            case AUTO -> !DNS_BUCKET.matcher(o.bucket()).matches() || !isDnsName(o.endpoint().getHost());
        };
    }

    private static boolean isDnsName(String host) {
        if (host.equalsIgnoreCase("localhost") || host.startsWith("[") || host.contains(":")) {
            return false;
        }
        return !host.matches("\\d{1,3}(\\.\\d{1,3}){3}") && !isLoopbackName(host);
    }

    private static boolean isLoopbackName(String host) {
        return host.toLowerCase(java.util.Locale.ROOT).endsWith(".localhost");
    }
}
