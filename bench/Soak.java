import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The soak's clients (bench/soak.sh runs this file with {@code java bench/Soak.java}: JDK only, no build). CLIENTS
 * threads each loop over a mix of the operations clouds send an image service, on images of their own, for SECONDS;
 * every INTERVAL seconds a line: operations, errors, p50/p99 latency of the interval, and the server's threads, open
 * descriptors and resident memory read from /proc (the server runs on this machine). At the start (after warm-up) and
 * the end, the server's live heap after a full collection (jcmd GC.run, then jstat's old generation).
 *
 * <p>An error is any answer other than the one the operation expects (a 409 for a racing tag is not expected either:
 * each client works on its own images), or an uploaded image whose checksum differs when read back.
 *
 * <p>Usage: java bench/Soak.java BASE TOKEN PID CLIENTS SECONDS INTERVAL WARMUP_SECONDS
 */
public final class Soak {
    enum Op {
        GET_IMAGE(30), LIST(18), CREATE_UPLOAD(10), DOWNLOAD(12), PATCH(10), TAGS(6), MEMBERS(4), IMPORT(3), DELETE(7);

        final int weight;

        Op(int weight) {
            this.weight = weight;
        }
    }

    static final int IMAGE_BYTES = 256 * 1024;
    static final int KEEP_PER_CLIENT = 12;
    static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-f-]{36})\"");
    static final Pattern STATUS = Pattern.compile("\"status\"\\s*:\\s*\"([a-z_]+)\"");

    final String base;
    final String token;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    final LongAdder ops = new LongAdder();
    final LongAdder errors = new LongAdder();
    final Map<String, LongAdder> errorsBy = new ConcurrentHashMap<>();
    final Histogram interval = new Histogram();
    final Histogram whole = new Histogram();
    final Map<Op, Histogram> byOp = new java.util.EnumMap<>(Op.class);
    volatile boolean measuring;
    volatile boolean stop;

    Soak(String base, String token) {
        this.base = base;
        this.token = token;
        for (Op op : Op.values()) {
            byOp.put(op, new Histogram());
        }
    }

    public static void main(String[] args) throws Exception {
        String base = args[0];
        String token = args[1];
        long pid = Long.parseLong(args[2]);
        int clients = Integer.parseInt(args[3]);
        int seconds = Integer.parseInt(args[4]);
        int every = Integer.parseInt(args[5]);
        int warmup = Integer.parseInt(args[6]);
        new Soak(base, token).run(pid, clients, seconds, every, warmup);
    }

    void run(long pid, int clients, int seconds, int every, int warmup) throws Exception {
        CountDownLatch done = new CountDownLatch(clients);
        for (int i = 0; i < clients; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    client(n);
                } finally {
                    done.countDown();
                }
            }, "soak-" + i);
            t.setDaemon(true);
            t.start();
        }
        Thread.sleep(warmup * 1000L);
        resetCounters();
        Server start = Server.read(pid, true);
        measuring = true;
        System.out.printf("%-6s %9s %7s %8s %8s %8s %7s %6s %8s%n",
                "t(s)", "ops", "errors", "ops/s", "p50 ms", "p99 ms", "threads", "fds", "rss MiB");
        System.out.printf("%-6s %9s %7s %8s %8s %8s %7d %6d %8d   live heap %d MiB%n",
                "start", "-", "-", "-", "-", "-", start.threads, start.fds, start.rssMiB, start.liveHeapMiB);
        long began = System.nanoTime();
        long lastOps = 0;
        long lastErrors = 0;
        for (int t = every; t <= seconds; t += every) {
            long wake = began + t * 1_000_000_000L;
            while (System.nanoTime() < wake) {
                Thread.sleep(Math.max(1, (wake - System.nanoTime()) / 1_000_000));
            }
            long[] q = interval.drain();
            long o = ops.sum();
            long e = errors.sum();
            Server s = Server.read(pid, false);
            System.out.printf("%-6d %9d %7d %8.0f %8.1f %8.1f %7d %6d %8d%n", t, o - lastOps, e - lastErrors,
                    (o - lastOps) / (double) every, Histogram.quantile(q, 0.50), Histogram.quantile(q, 0.99),
                    s.threads, s.fds, s.rssMiB);
            lastOps = o;
            lastErrors = e;
        }
        stop = true;
        done.await();
        Server end = Server.read(pid, true);
        long[] all = whole.drain();
        System.out.printf("%-6s %9d %7d %8.0f %8.1f %8.1f %7d %6d %8d   live heap %d MiB%n", "end", ops.sum(),
                errors.sum(), ops.sum() / (double) seconds, Histogram.quantile(all, 0.50), Histogram.quantile(all, 0.99),
                end.threads, end.fds, end.rssMiB, end.liveHeapMiB);
        System.out.printf("summary: %d operations by %d clients in %d s, %d errors%s; threads %d -> %d, descriptors %d -> %d,"
                        + " resident %d -> %d MiB, live heap %d -> %d MiB%n",
                ops.sum(), clients, seconds, errors.sum(), errors.sum() == 0 ? "" : " " + errorsBy,
                start.threads, end.threads, start.fds, end.fds, start.rssMiB, end.rssMiB, start.liveHeapMiB, end.liveHeapMiB);
        System.out.printf("%-14s %9s %8s %8s%n", "operation", "count", "p50 ms", "p99 ms");
        for (Op op : Op.values()) {
            long[] q = byOp.get(op).drain();
            System.out.printf("%-14s %9d %8.1f %8.1f%n", op, q.length, Histogram.quantile(q, 0.50), Histogram.quantile(q, 0.99));
        }
    }

    void resetCounters() {
        ops.reset();
        errors.reset();
        errorsBy.clear();
        interval.drain();
        whole.drain();
        byOp.values().forEach(Histogram::drain);
    }

    // ---- one client: its own images, a weighted mix of operations

    void client(int n) {
        Random random = new Random(n * 7919L + 1);
        byte[] data = new byte[IMAGE_BYTES];
        List<String> mine = new ArrayList<>();
        int total = Arrays.stream(Op.values()).mapToInt(o -> o.weight).sum();
        while (!stop) {
            int pick = random.nextInt(total);
            Op op = Op.values()[0];
            for (Op o : Op.values()) {
                if (pick < o.weight) {
                    op = o;
                    break;
                }
                pick -= o.weight;
            }
            if (mine.size() < 2 && op != Op.LIST) {
                op = Op.CREATE_UPLOAD;
            }
            long t0 = System.nanoTime();
            String failure;
            try {
                failure = perform(op, random, data, mine, n);
            } catch (IOException e) {
                failure = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                return;
            }
            long micros = (System.nanoTime() - t0) / 1000;
            if (stop) {
                return;
            }
            ops.increment();
            interval.add(micros);
            whole.add(micros);
            byOp.get(op).add(micros);
            if (failure != null) {
                errors.increment();
                errorsBy.computeIfAbsent(op + " " + failure, k -> new LongAdder()).increment();
            }
        }
    }

    /** Performs {@code op}; null when every answer was the expected one, else what went wrong. */
    String perform(Op op, Random random, byte[] data, List<String> mine, int n) throws IOException, InterruptedException {
        String id = mine.isEmpty() ? null : mine.get(random.nextInt(mine.size()));
        switch (op) {
            case GET_IMAGE:
                return expect(send("GET", "/v2/images/" + id, null, null), 200);
            case LIST: {
                String[] queries = {"limit=20", "limit=20&sort_key=name&sort_dir=asc", "limit=20&tag=soak",
                        "limit=20&status=active", "limit=20&sort=created_at:desc,name:asc", "limit=20&visibility=all"};
                return expect(send("GET", "/v2/images?" + queries[random.nextInt(queries.length)], null, null), 200);
            }
            case CREATE_UPLOAD: {
                HttpResponse<String> created = send("POST", "/v2/images", "application/json",
                        "{\"name\":\"soak-" + n + "-" + random.nextInt(1000) + "\",\"disk_format\":\"raw\","
                                + "\"container_format\":\"bare\",\"visibility\":\"shared\",\"tags\":[\"soak\"],\"soak_client\":\"" + n + "\"}");
                String bad = expect(created, 201);
                if (bad != null) {
                    return bad;
                }
                String newId = match(ID, created.body());
                randomRaw(random, data);
                bad = expect(sendBytes("PUT", "/v2/images/" + newId + "/file", data), 204);
                if (bad != null) {
                    return bad;
                }
                HttpResponse<String> image = send("GET", "/v2/images/" + newId, null, null);
                if (!"active".equals(match(STATUS, image.body())) || !image.body().contains("\"" + md5(data) + "\"")) {
                    return "uploaded image not active with its checksum";
                }
                mine.add(newId);
                return trim(mine);
            }
            case DOWNLOAD: {
                HttpResponse<byte[]> r = http.send(request("GET", "/v2/images/" + id + "/file").GET().build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                if (r.statusCode() != 200 || r.body().length != IMAGE_BYTES) {
                    return "download " + r.statusCode() + " of " + r.body().length + " bytes";
                }
                String sum = r.headers().firstValue("Content-MD5").orElse("");
                return sum.isEmpty() || sum.equals(md5(r.body())) ? null : "downloaded bytes differ from Content-MD5";
            }
            case PATCH:
                return expect(send("PATCH", "/v2/images/" + id, "application/openstack-images-v2.1-json-patch",
                        "[{\"op\":\"add\",\"path\":\"/soak_round\",\"value\":\"" + random.nextInt(1_000_000) + "\"}]"), 200);
            case TAGS: {
                String tag = "t" + random.nextInt(5);
                String bad = expect(send("PUT", "/v2/images/" + id + "/tags/" + tag, null, null), 204);
                return bad != null ? bad : expect(send("DELETE", "/v2/images/" + id + "/tags/" + tag, null, null), 204);
            }
            case MEMBERS: {
                String member = "soak-project-" + random.nextInt(1000);
                String bad = expect(send("POST", "/v2/images/" + id + "/members", "application/json",
                        "{\"member\":\"" + member + "\"}"), 200);
                if (bad != null) {
                    return bad;
                }
                bad = expect(send("GET", "/v2/images/" + id + "/members", null, null), 200);
                return bad != null ? bad : expect(send("DELETE", "/v2/images/" + id + "/members/" + member, null, null), 204);
            }
            case IMPORT: { // glance-direct: stage, import, wait for active
                HttpResponse<String> created = send("POST", "/v2/images", "application/json",
                        "{\"name\":\"soak-import-" + n + "\",\"disk_format\":\"raw\",\"container_format\":\"bare\"}");
                String bad = expect(created, 201);
                if (bad != null) {
                    return bad;
                }
                String newId = match(ID, created.body());
                randomRaw(random, data);
                bad = expect(sendBytes("PUT", "/v2/images/" + newId + "/stage", data), 204);
                if (bad == null) {
                    bad = expect(send("POST", "/v2/images/" + newId + "/import", "application/json",
                            "{\"method\":{\"name\":\"glance-direct\"}}"), 202);
                }
                if (bad != null) {
                    return bad;
                }
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                String status;
                long pause = 5;
                do {
                    Thread.sleep(pause); // polling the API, as a client must; not synchronisation within Glint
                    pause = Math.min(pause * 2, 500);
                    status = match(STATUS, send("GET", "/v2/images/" + newId, null, null).body());
                } while (!"active".equals(status) && !"killed".equals(status) && System.nanoTime() < deadline);
                if (!"active".equals(status)) {
                    return "import ended " + status;
                }
                mine.add(newId);
                return trim(mine);
            }
            case DELETE: {
                mine.remove(id);
                return expect(send("DELETE", "/v2/images/" + id, null, null), 204);
            }
            default:
                throw new IllegalStateException(op.toString());
        }
    }

    /**
     * Random bytes as a raw disk: one random buffer in 65 536 ends its first sector in 0x55AA, an MBR signature, and
     * format inspection then refuses it for its invalid partition table, as Glance's (oslo.utils') does: not a soak error.
     */
    static void randomRaw(Random random, byte[] data) {
        random.nextBytes(data);
        data[510] = 0;
    }

    /** Keeps each client's images bounded, deleting its oldest; null when that went as expected. */
    String trim(List<String> mine) throws IOException, InterruptedException {
        while (mine.size() > KEEP_PER_CLIENT) {
            String bad = expect(send("DELETE", "/v2/images/" + mine.remove(0), null, null), 204);
            if (bad != null) {
                return bad;
            }
        }
        return null;
    }

    HttpRequest.Builder request(String method, String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60)).header("X-Auth-Token", token);
    }

    HttpResponse<String> send(String method, String path, String contentType, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = request(method, path);
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> sendBytes(String method, String path, byte[] body) throws IOException, InterruptedException {
        return http.send(request(method, path).header("Content-Type", "application/octet-stream")
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static String expect(HttpResponse<String> r, int status) {
        return r.statusCode() == status ? null : r.request().method() + " " + r.statusCode();
    }

    static String match(Pattern p, String body) {
        Matcher m = p.matcher(body);
        return m.find() ? m.group(1) : "";
    }

    static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Latencies in microseconds, kept whole (a 10-minute soak at a few thousand operations a second fits easily). */
    static final class Histogram {
        private long[] values = new long[1 << 16];
        private int size;

        synchronized void add(long micros) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
            }
            values[size++] = micros;
        }

        /** The values so far, sorted, and a fresh start. */
        synchronized long[] drain() {
            long[] out = Arrays.copyOf(values, size);
            size = 0;
            Arrays.sort(out);
            return out;
        }

        static double quantile(long[] sorted, double q) {
            return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (q * sorted.length))] / 1000.0;
        }
    }

    /** The server process as /proc and the JDK's tools see it. */
    record Server(long threads, long fds, long rssMiB, long liveHeapMiB) {
        static Server read(long pid, boolean liveHeap) throws IOException, InterruptedException {
            long threads = 0;
            long rss = 0;
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Long.parseLong(line.split("\\s+")[1]);
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.split("\\s+")[1]) / 1024;
                }
            }
            long fds;
            try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
                fds = s.count();
            }
            return new Server(threads, fds, rss, liveHeap ? liveHeapMiB(pid) : -1);
        }

        /** Old generation in use after a full collection: what the heap keeps alive. */
        static long liveHeapMiB(long pid) throws IOException, InterruptedException {
            run("jcmd", Long.toString(pid), "GC.run");
            String[] lines = run("jstat", "-gc", Long.toString(pid)).strip().split("\n");
            String[] names = lines[0].trim().split("\\s+");
            String[] values = lines[1].trim().split("\\s+");
            double kib = 0;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals("OU") || names[i].equals("EU") || names[i].equals("S0U") || names[i].equals("S1U")) {
                    kib += Double.parseDouble(values[i]);
                }
            }
            return Math.round(kib / 1024);
        }

        static String run(String... command) throws IOException, InterruptedException {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            p.waitFor();
            return out;
        }
    }
}
