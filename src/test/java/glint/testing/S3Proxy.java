package glint.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A real S3 service for the s3 store's tests: S3Proxy (org.gaul:s3proxy 3.0.0, which runs on Java 17) with its
 * filesystem-nio2 backend in a temporary directory, as a child JVM listening on a free loopback port. Maven copies its jar
 * to {@code target/s3proxy/s3proxy.jar} (pom.xml, phase generate-test-resources), so {@code mvn test} needs nothing
 * installed. One instance serves all the tests of a JVM, each test in buckets of its own ({@link #newBucket()});
 * it stops with the JVM.
 */
public final class S3Proxy {
    public static final String ACCESS_KEY = "glint-test-access";
    public static final String SECRET_KEY = "glint-test-secret/with+symbols";
    private static final Pattern STARTED = Pattern.compile("Started ServerConnector.*\\{127\\.0\\.0\\.1:(\\d+)\\}");
    private static S3Proxy shared;

    private final Path dir;
    private final Path dataDir;
    private final S3Client client;
    private Process process;
    private int port;

    private S3Proxy(Path dir) throws IOException {
        this.dir = dir;
        this.dataDir = Files.createDirectories(dir.resolve("data"));
        launch(0);
        this.client = S3Client.builder().endpointOverride(URI.create(endpoint())).region(Region.US_EAST_1).forcePathStyle(true)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
                // S3Proxy refuses the SDK's default request checksums (a trailer), as many S3-compatible services
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .build();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop();
            TempDirs.delete(dir); // its data and log: nothing of the service outlives the tests
        }));
    }

    /** The JVM's S3Proxy, started on first use. */
    public static synchronized S3Proxy shared() {
        if (shared == null) {
            shared = startOwn();
        }
        return shared;
    }

    /** An S3Proxy of the caller's own, which it may {@link #stop()} and {@link #restart()} (and must stop). */
    public static S3Proxy startOwn() {
        try {
            return new S3Proxy(Files.createTempDirectory("glint-s3proxy-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the process, as a crash of the service would. Its data stays. */
    public synchronized void stop() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process = null;
        }
    }

    /** Starts the service again on the same port and data. */
    public synchronized void restart() {
        stop();
        launch(port);
    }

    private void launch(int onPort) {
        Path jar = Path.of(System.getProperty("glint.test.s3proxy.jar", "target/s3proxy/s3proxy.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the tests through Maven (mvn test), which copies it");
        }
        try {
            Path properties = dir.resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=http://127.0.0.1:" + onPort,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    "jclouds.provider=filesystem-nio2",
                    "jclouds.filesystem.basedir=" + dataDir, ""));
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar", jar.toString(),
                    "--properties", properties.toString())
                    .redirectErrorStream(true).start();
            CompletableFuture<Integer> listening = new CompletableFuture<>();
            Deque<String> lastLines = new ArrayDeque<>();
            Path log = dir.resolve("s3proxy.log");
            Thread reader = new Thread(() -> drain(p, listening, lastLines, log), "s3proxy-output");
            reader.setDaemon(true);
            reader.start();
            try {
                port = listening.get(60, TimeUnit.SECONDS);
                process = p;
            } catch (Exception e) {
                p.destroyForcibly();
                synchronized (lastLines) {
                    throw new IllegalStateException("S3Proxy did not start: " + String.join("\n", lastLines), e);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads S3Proxy's output to its end (a full pipe would stop it) into {@code log}, beside its data directory,
     * telling its port once it listens.
     */
    private static void drain(Process p, CompletableFuture<Integer> port, Deque<String> lastLines, Path log) {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
             java.io.Writer file = Files.newBufferedWriter(log, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            String line;
            while ((line = out.readLine()) != null) {
                file.write(line + "\n");
                file.flush();
                Matcher m = STARTED.matcher(line);
                if (m.find()) {
                    port.complete(Integer.parseInt(m.group(1)));
                }
                synchronized (lastLines) {
                    lastLines.addLast(line);
                    if (lastLines.size() > 40) {
                        lastLines.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process ended
        }
        port.completeExceptionally(new IllegalStateException("S3Proxy's output ended: it exited"));
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** A client of its own, to look at what a store left behind. */
    public S3Client client() {
        return client;
    }

    /** A bucket name no test used before (the bucket is not created). */
    public String newBucket() {
        return "glint-" + UUID.randomUUID().toString().substring(0, 13);
    }

    /** The options of an s3 store of this service in {@code bucket}, created on the first write, plus {@code extra}. */
    public Map<String, String> storeOptions(String bucket, String... extra) {
        Map<String, String> o = new LinkedHashMap<>();
        o.put("s3_store_host", "127.0.0.1:" + port);
        o.put("s3_store_access_key", ACCESS_KEY);
        o.put("s3_store_secret_key", SECRET_KEY);
        o.put("s3_store_bucket", bucket);
        o.put("s3_store_create_bucket_on_put", "true");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            o.put(extra[i], extra[i + 1]);
        }
        return o;
    }

    /** The keys of the bucket's objects; empty if there is no bucket. */
    public List<String> objects(String bucket) {
        if (!bucketExists(bucket)) {
            return List.of();
        }
        return client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).toList();
    }

    /** The bucket's unfinished multipart uploads, as {@code key uploadId}. */
    public List<String> multipartUploads(String bucket) {
        if (!bucketExists(bucket)) {
            return List.of();
        }
        return client.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads().stream()
                .map((MultipartUpload u) -> u.key() + " " + u.uploadId()).toList();
    }

    /** How many parts the multipart upload {@code key uploadId} (as {@link #multipartUploads} gives it) holds. */
    public int parts(String bucket, String upload) {
        String[] keyAndId = upload.split(" ");
        return client.listPartsPaginator(b -> b.bucket(bucket).key(keyAndId[0]).uploadId(keyAndId[1])).parts()
                .stream().mapToInt(p -> 1).sum();
    }

    /**
     * Whether the bucket holds exactly one unfinished multipart upload, with {@code n} parts: for polling while a store
     * sends parts (a listing S3Proxy answers 500 while a part is being written counts as not yet).
     */
    public boolean oneUploadWithParts(String bucket, int n) {
        try {
            List<String> uploads = multipartUploads(bucket);
            return uploads.size() == 1 && hasParts(bucket, uploads.get(0), n);
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            return false;
        }
    }

    /** Whether the upload {@code key uploadId} holds {@code n} parts, for polling (a failed listing: not yet). */
    public boolean hasParts(String bucket, String upload, int n) {
        try {
            return parts(bucket, upload) == n;
        } catch (software.amazon.awssdk.core.exception.SdkException e) {
            return false;
        }
    }

    public boolean bucketExists(String bucket) {
        return client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket));
    }

    /**
     * What the bucket holds, as a store sees it: its objects by key, and {@code upload KEY} for each unfinished
     * multipart upload; plus {@code on disk: …} for any file S3Proxy keeps that is neither (its filesystem backend keeps
     * an upload as objects {@code UPLOAD-ID} and {@code .mpus-UPLOAD-ID-KEY-stub} and {@code .mpus-UPLOAD-ID-KEY-N}, which this leaves out).
     */
    public List<String> storedObjects(String bucket) {
        if (!bucketExists(bucket)) {
            return List.of();
        }
        List<String> stored = new ArrayList<>();
        Set<String> uploadIds = new HashSet<>();
        for (MultipartUpload u : client.listMultipartUploadsPaginator(b -> b.bucket(bucket)).uploads()) {
            stored.add("upload " + u.key());
            uploadIds.add(u.uploadId());
        }
        Predicate<String> ofAnUpload = name -> uploadIds.contains(name)
                || uploadIds.stream().anyMatch(id -> name.startsWith(".mpus-" + id + "-"));
        List<String> objects = objects(bucket).stream().filter(ofAnUpload.negate()).toList();
        stored.addAll(objects);
        List<String> disk = filesOnDisk(bucket).stream().filter(ofAnUpload.negate()).filter(f -> !objects.contains(f)).toList();
        if (!disk.isEmpty()) {
            stored.add("on disk: " + disk);
        }
        return stored;
    }

    /** Every file S3Proxy keeps for the bucket on its disk (objects, parts, markers), relative to the bucket's directory. */
    public List<String> filesOnDisk(String bucket) {
        Path dir = dataDir.resolve(bucket);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).map(f -> dir.relativize(f).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
