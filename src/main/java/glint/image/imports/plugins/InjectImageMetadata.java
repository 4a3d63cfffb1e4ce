package glint.image.imports.plugins;

import glint.config.GlintConfig.InjectMetadataConfig;
import glint.image.imports.ImportPlan;
import glint.image.imports.ImportSource;
import glint.image.imports.ImportStaging;
import glint.image.imports.ImportStep;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code inject_image_metadata}: the properties of {@code [inject_metadata_properties] inject} set on the image,
 * unless the user who asked for the import has one of the roles of {@code ignore_user_roles} (default admin). As
 * Glance master (glance/async_/flows/plugins/inject_image_metadata.py {@code _InjectMetadataProperties}, and
 * {@code ImportActionWrapper.set_image_extra_properties} in api_image_import.py): a key in Glance's reserved
 * namespace ({@code os_glance}) is dropped and logged; the data is not touched. The roles are those of the import
 * request ({@link ImportPlan#roles}).
 */
final class InjectImageMetadata implements ImportStep {
    private static final Logger LOG = LoggerFactory.getLogger(InjectImageMetadata.class);
    /** Glance's {@code api_common.GLANCE_RESERVED_NS}. */
    static final String RESERVED = "os_glance";

    private final ImportStaging staging;
    private final List<String> ignoreUserRoles;
    private final Map<String, String> inject;

    InjectImageMetadata(ImportStaging staging, InjectMetadataConfig config) {
        this.staging = staging;
        this.ignoreUserRoles = List.copyOf(config.ignoreUserRoles());
        this.inject = Map.copyOf(config.inject());
    }

    @Override
    public ImportSource.Data apply(ImportPlan plan, ImportSource.Data staged) {
        if (inject.isEmpty() || plan.roles().stream().anyMatch(ignoreUserRoles::contains)) {
            return staged;
        }
        staging.saveImage(plan.imageId(), image -> {
            Map<String, String> props = new HashMap<>(image.properties());
            inject.forEach((key, value) -> {
                if (key.startsWith(RESERVED)) {
                    LOG.warn("dropping {}={} during metadata injection for {}", key, value, plan.imageId());
                } else {
                    props.put(key, value);
                }
            });
            return image.toBuilder().properties(props).build();
        });
        return staged;
    }
}
