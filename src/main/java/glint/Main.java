package glint;

import glint.config.ConfigLoader;
import glint.config.GlintConfig;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code glint serve [--port N] [--data-dir DIR] [--config FILE] [--host ADDR]}, and
 * {@code glint metadefs load DIR [--data-dir DIR] [--config FILE]} (Glance's {@code glance-manage db_load_metadefs}).
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Set<String> FLAGS = Set.of("port", "data-dir", "config", "host");

    private Main() {}

    public static void main(String[] args) throws Exception {
        boolean loadMetadefs = args.length >= 3 && args[0].equals("metadefs") && args[1].equals("load");
        if (!loadMetadefs && (args.length == 0 || !args[0].equals("serve"))) {
            System.err.println("usage: glint serve [--port N] [--data-dir DIR] [--config FILE] [--host ADDR]");
            System.err.println("       glint metadefs load DIR [--data-dir DIR] [--config FILE]");
            System.exit(2);
        }
        Map<String, String> flags = new HashMap<>();
        for (int i = loadMetadefs ? 3 : 1; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                usage("unexpected argument: " + arg);
            }
            String name = arg.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else if (i + 1 < args.length) {
                value = args[++i];
            } else {
                usage("missing value for --" + name);
                return;
            }
            if (!FLAGS.contains(name)) {
                usage("unknown flag --" + name);
            }
            flags.put(name, value);
        }
        GlintConfig config;
        try {
            config = ConfigLoader.load(flags, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("glint: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        try {
            LogSetup.apply(config.operations().log());
        } catch (IllegalArgumentException e) {
            System.err.println("glint: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (loadMetadefs) {
            int failed = 0;
            for (var outcome : App.loadMetadefs(config, java.nio.file.Path.of(args[2]))) {
                System.out.println(outcome.result() + "\t" + outcome.file().getFileName() + "\t" + outcome.detail());
                failed += outcome.result().equals("failed") ? 1 : 0;
            }
            System.exit(failed == 0 ? 0 : 1);
        }
        App app;
        try {
            app = App.start(config);
        } catch (IllegalArgumentException e) {
            System.err.println("glint: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        } catch (java.nio.file.NoSuchFileException e) {
            System.err.println("glint: configuration error: no such file: " + e.getMessage());
            System.exit(2);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("stopping");
            app.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }

    private static void usage(String message) {
        System.err.println("glint: " + message);
        System.err.println("usage: glint serve [--port N] [--data-dir DIR] [--config FILE] [--host ADDR]");
        System.exit(2);
    }
}
