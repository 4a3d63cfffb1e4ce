package glint.format;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Images made by Debian's tools, once per test JVM, in a temporary directory removed at exit. Each is made on first
 * use ({@link #path}); a missing tool skips the tests that need it.
 */
final class Corpus {
    private static final Path DIR;
    private static final Map<String, Path> MADE = new LinkedHashMap<>();

    static {
        try {
            DIR = Files.createTempDirectory("glint-format-corpus");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (Stream<Path> all = Files.walk(DIR)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException ignored) {
                // best effort
            }
        }));
    }

    private Corpus() {}

    static Path dir() {
        return DIR;
    }

    /** 3 MiB of deterministic random data: the content the converted images hold. */
    static synchronized Path randomRaw() {
        return make("random.raw", p -> write(p, glint.testing.TestBytes.bytes(47, 3 << 20)));
    }

    static synchronized Path make(String name, Consumer<Path> maker) {
        Path existing = MADE.get(name);
        if (existing != null) {
            return existing;
        }
        Path p = DIR.resolve(name);
        maker.accept(p);
        MADE.put(name, p);
        return p;
    }

    /** The image made by {@code qemu-img create -f format [options] name size}. */
    static Path created(String name, String format, String options, String size) {
        return make(name, p -> {
            if (options.isEmpty()) {
                ImageTools.run(DIR, "qemu-img", "create", "-q", "-f", format, name, size);
            } else {
                ImageTools.run(DIR, "qemu-img", "create", "-q", "-f", format, "-o", options, name, size);
            }
        });
    }

    /** The random data converted by {@code qemu-img convert [-c] -O format [-o options]}. */
    static Path converted(String name, String format, String options, boolean compress) {
        Path source = randomRaw();
        return make(name, p -> {
            if (options.isEmpty()) {
                ImageTools.run(DIR, "qemu-img", "convert", compress ? "-c" : "-q", "-O", format,
                    source.getFileName().toString(), name);
            } else {
                ImageTools.run(DIR, "qemu-img", "convert", compress ? "-c" : "-q", "-O", format, "-o", options,
                    source.getFileName().toString(), name);
            }
        });
    }

    static byte[] bytes(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void write(Path p, byte[] data) {
        try {
            Files.write(p, data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
