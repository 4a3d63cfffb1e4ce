package glint;

import glint.config.ConfigLoader;
import glint.config.GlintConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command line: {@code glint serve}, and the operator's commands that run beside (or without) a server on the same
 * configuration — {@code metadefs load} (glance-manage db_load_metadefs), {@code scrub} (glance-scrubber),
 * {@code db purge} and {@code db purge-images-table} (glance-manage), {@code cache prune} and {@code cache clean}
 * (glance-cache-prune, glance-cache-cleaner); see {@link Manage}.
 */
public final class Main {
    private static final Logger LOG = LoggerFactory.getLogger(Main.class);
    private static final Set<String> COMMON = Set.of("data-dir", "config");
    private static final String USAGE = String.join("\n",
            "usage: glint serve [--port N] [--data-dir DIR] [--config FILE] [--host ADDR]",
            "       glint metadefs load DIR [--data-dir DIR] [--config FILE]",
            "       glint scrub [--restore IMAGE_ID] [--data-dir DIR] [--config FILE]",
            "       glint db purge [--age-in-days N (30)] [--max-rows N (100; -1: all)] [--data-dir DIR] [--config FILE]",
            "       glint db purge-images-table [--age-in-days N (180)] [--max-rows N (100; -1: all)] [--data-dir DIR] [--config FILE]",
            "       glint cache prune|clean [--data-dir DIR] [--config FILE]");

    private Main() {}

    public static void main(String[] args) throws Exception {
        List<String> words = new ArrayList<>();
        int i = 0;
        while (i < args.length && !args[i].startsWith("--")) {
            words.add(args[i++]);
        }
        String command = String.join(" ", words);
        Set<String> allowed = switch (words.isEmpty() ? "" : words.get(0)) {
            case "serve" -> Set.of("port", "data-dir", "config", "host");
            case "scrub" -> Set.of("data-dir", "config", "restore");
            case "db" -> Set.of("data-dir", "config", "age-in-days", "age_in_days", "max-rows", "max_rows");
            default -> COMMON;
        };
        boolean known = command.equals("serve") || command.equals("scrub") || command.equals("db purge")
                || command.equals("db purge-images-table") || command.equals("cache prune") || command.equals("cache clean")
                || (words.size() == 3 && words.get(0).equals("metadefs") && words.get(1).equals("load"));
        if (!known) {
            usage(words.isEmpty() ? "no command" : "unknown command: " + command);
        }
        Map<String, String> flags = new HashMap<>();
        for (; i < args.length; i++) {
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
            if (!allowed.contains(name)) {
                usage("unknown flag --" + name);
            }
            flags.put(name.replace('_', '-'), value);
        }
        Map<String, String> configFlags = new HashMap<>(flags);
        configFlags.keySet().retainAll(Set.of("port", "data-dir", "config", "host"));
        GlintConfig config;
        try {
            config = ConfigLoader.load(configFlags, System.getenv());
            LogSetup.apply(config.operations().log());
        } catch (IllegalArgumentException e) {
            System.err.println("glint: configuration error: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!command.equals("serve")) {
            System.exit(Manage.run(words, flags, config, System.out, System.err));
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
        System.err.println(USAGE);
        System.exit(2);
    }
}
