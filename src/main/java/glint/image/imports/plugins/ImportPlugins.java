package glint.image.imports.plugins;

import glint.config.GlintConfig.ImportPluginsConfig;
import glint.data.ContentCheck;
import glint.format.FormatOptions;
import glint.format.FormatRules;
import glint.image.imports.ImportStaging;
import glint.image.imports.ImportStep;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code [image_import_opts] image_import_plugins}: the import plugins, in the configured order (Glance's
 * glance/async_/flows/plugins/__init__.py {@code get_import_plugins}, the entry points
 * {@code glance.image_import.plugins} of its pyproject.toml). They run for glance-direct and web-download, after the
 * data is staged and before it is copied to the stores; not for copy-image ({@code glint.image.imports.ImportTask}).
 * An unknown name refuses to start (Glance's stevedore only logs it and leaves the plugin out).
 */
public final class ImportPlugins {
    private static final Logger LOG = LoggerFactory.getLogger(ImportPlugins.class);
    public static final String NO_OP = "no_op";
    public static final String INJECT_IMAGE_METADATA = "inject_image_metadata";
    public static final String IMAGE_CONVERSION = "image_conversion";
    public static final String IMAGE_DECOMPRESSION = "image_decompression";
    public static final List<String> NAMES = List.of(NO_OP, INJECT_IMAGE_METADATA, IMAGE_CONVERSION, IMAGE_DECOMPRESSION);

    private ImportPlugins() {}

    /** The format check of staged data ({@code glint.image.imports.ImportBlobs}): see {@link CompressedStaging}. */
    public static UnaryOperator<ContentCheck> stagedChecks(ImportPluginsConfig config) {
        return config.names().contains(IMAGE_DECOMPRESSION) ? CompressedStaging::new : UnaryOperator.identity();
    }

    /**
     * @param rules and {@code options}: the {@code [image_format]} inspection rules, for image_conversion
     * @param sizeCap {@code image_size_cap}
     * @throws IllegalArgumentException for a name that is no plugin
     */
    public static List<ImportStep> build(ImportPluginsConfig config, ImportStaging staging, FormatRules rules,
                                         FormatOptions options, long sizeCap) {
        List<ImportStep> steps = new ArrayList<>();
        for (String name : config.names()) {
            steps.add(switch (name) {
                case NO_OP -> (plan, staged) -> {
                    LOG.debug("No_op import plugin");
                    return staged;
                };
                case INJECT_IMAGE_METADATA -> new InjectImageMetadata(staging, config.inject());
                case IMAGE_CONVERSION -> new ImageConversion(staging, rules, options, config.conversion(), sizeCap);
                case IMAGE_DECOMPRESSION -> new ImageDecompression(staging);
                default -> throw new IllegalArgumentException("[image_import_opts] image_import_plugins: unknown plugin '"
                        + name + "' (known: " + String.join(", ", NAMES) + ")");
            });
        }
        if (!steps.isEmpty()) {
            LOG.info("import plugins: {}", String.join(", ", config.names()));
        }
        return List.copyOf(steps);
    }
}
