package glint.image.imports.plugins;

import glint.config.GlintConfig.ConversionConfig;
import glint.format.FormatInspector;
import glint.format.FormatOptions;
import glint.format.FormatRules;
import glint.format.Inspection;
import glint.image.Image;
import glint.image.imports.ImportFailed;
import glint.image.imports.ImportPlan;
import glint.image.imports.ImportSource;
import glint.image.imports.ImportStaging;
import glint.image.imports.ImportStep;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code image_conversion}: the staged data converted to {@code [image_conversion] output_format} with qemu-img,
 * made safe as Glance master makes it (glance/async_/flows/plugins/image_conversion.py {@code _ConvertImage}):
 * <ol>
 *   <li>The staged data is inspected by {@code glint.format}, streamed from the staging store, and its format
 *       decided by {@link SourceFormat} (must be the declared {@code disk_format}, and safe); an ISO declared
 *       {@code iso} is left as it is.</li>
 *   <li>{@code qemu-img info -f <format>} under process limits; {@link QemuImgInfo#check} refuses a backing file,
 *       a data file, a format qemu-img disagrees on, a vmdk create-type not allowed.</li>
 *   <li>Data already in the output format is left as it is. Otherwise {@code qemu-img convert -f <format>
 *       -O <output>} under process limits into a new staged blob (a temporary file in the staging directory until
 *       complete, see {@link ImportStaging#produce}); the image's {@code disk_format} becomes the output format and
 *       its {@code container_format} bare, as in Glance; the old staged data is removed.</li>
 * </ol>
 * The converted data is then inspected once more by the copy to each store, against the new {@code disk_format}
 * (Glance inspects it here: "Converted image in unexpected format"), and the image's size, checksum, hash and
 * {@code virtual_size} are the converted data's. Unlike Glance, {@code convert} runs under limits too, and a
 * conversion to raw whose virtual size is over {@code image_size_cap} is refused before it runs.
 */
final class ImageConversion implements ImportStep {
    private static final Logger LOG = LoggerFactory.getLogger(ImageConversion.class);

    private final ImportStaging staging;
    private final FormatRules rules;
    private final FormatOptions options;
    private final String outputFormat;
    private final QemuImg qemuImg;
    private final long sizeCap;

    ImageConversion(ImportStaging staging, FormatRules rules, FormatOptions options, ConversionConfig config, long sizeCap) {
        this.staging = staging;
        this.rules = rules;
        this.options = options;
        this.outputFormat = config.outputFormat();
        this.qemuImg = new QemuImg(config);
        this.sizeCap = sizeCap;
    }

    @Override
    public ImportSource.Data apply(ImportPlan plan, ImportSource.Data staged) throws IOException {
        Image image = staging.image(plan.imageId());
        String diskFormat = image.diskFormat().orElseThrow(() -> new ImportFailed("Image has no disk_format"));
        String source = SourceFormat.of(diskFormat, inspect(staged), rules, options.gptSafetyChecksNonfatal());
        if (source.equals(SourceFormat.ISO)) {
            LOG.debug("image {}: not converting an image with iso disk format", plan.imageId());
            return staged;
        }
        Path file = staging.file(staged);
        QemuImgInfo info = qemuImg.info(file, source);
        info.check(source, options.vmdkAllowedTypes());
        if (source.equals(outputFormat)) {
            LOG.debug("image {}: already {}, not converting", plan.imageId(), outputFormat);
            return staged;
        }
        if (outputFormat.equals("raw") && info.virtualSize() > sizeCap) {
            throw new ImportFailed("The incoming image is too large: its virtual size " + info.virtualSize()
                    + " is over image_size_cap " + sizeCap);
        }
        ImportSource.Data converted = staging.produce(plan, staged, outputFormat,
                out -> qemuImg.convert(file, source, outputFormat, out),
                img -> img.toBuilder().diskFormat(Optional.of(outputFormat)).containerFormat(Optional.of("bare")).build());
        LOG.info("task {}: image {} converted from {} to {}: {} bytes", plan.task().id(), plan.imageId(), source,
                outputFormat, converted.size());
        return converted;
    }

    /** The staged data through a {@link FormatInspector} of the file itself (whatever the container format says). */
    private Inspection inspect(ImportSource.Data staged) throws IOException {
        FormatInspector inspector = FormatInspector.forContainer("bare");
        staging.read(staged, buffer -> inspector.feed(buffer.asReadOnlyBuffer()));
        return inspector.finish();
    }
}
