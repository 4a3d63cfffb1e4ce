package glint.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What this process holds of a server listening in it, read from {@code /proc}: its accepted connections (sockets
 * whose local port is the server's, the listening one left out) and the threads whose names start with a prefix.
 * Clients in the same process hold the other ends, whose local ports differ.
 */
public final class ServerSockets {
    private ServerSockets() {}

    /** Established (or closing) TCP connections of this process whose local port is {@code port}. */
    public static int accepted(int port) {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            try {
                List<String> lines = Files.readAllLines(Path.of(table));
                for (String line : lines.subList(1, lines.size())) {
                    String[] f = line.trim().split("\\s+");
                    String local = f[1];
                    int localPort = Integer.parseInt(local.substring(local.indexOf(':') + 1), 16);
                    if (localPort == port && !f[3].equals("0A")) { // 0A: LISTEN
                        inodes.add(f[9]);
                    }
                }
            } catch (IOException e) {
                // no IPv6 table: nothing listed there
            }
        }
        int count = 0;
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        count++;
                    }
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return count;
    }

    /** Open file descriptors of this process. */
    public static int fileDescriptors() {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            int n = 0;
            for (Path ignored : fds) {
                n++;
            }
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Threads named {@code prefix}… that are inside a method of {@code className} now (the API pool's threads
     * serving a request are in {@code glint.http.Router}; idle ones wait in Jetty's pool).
     */
    public static long threadsIn(String prefix, String className) {
        return Thread.getAllStackTraces().entrySet().stream()
                .filter(e -> e.getKey().getName().startsWith(prefix))
                .filter(e -> java.util.Arrays.stream(e.getValue()).anyMatch(f -> f.getClassName().equals(className)))
                .count();
    }

    /** Live threads of this JVM whose names start with {@code prefix} (Jetty's API pool: {@code "http-"}), case-sensitive (the JDK's client has "HttpClient-…" threads). */
    public static long threads(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix)).count();
    }
}
