package glint.format;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Glance's rules over an {@link Inspection}: {@code ImageProxy.set_data} in glance/location.py (Glance master) with
 * {@code [image_format]} options, applied whatever the container format (an OVA's disks each judged as a disk).
 *
 * <ol>
 *   <li>Which format the data is: the one match; ISO+GPT is taken as ISO (and VHD found by its footer + GPT as VHD:
 *       a fixed VHD of a partitioned disk); any other combination is "Multiple formats detected".</li>
 *   <li>Against {@code disk_format}: the same format gives its virtual size; unrecognised data declared as a format
 *       Glint cannot inspect (ami, ari, aki) is accepted without one; anything declared {@code raw} stays raw with
 *       the data size as virtual size; otherwise "Image disk_format X does not match stream data Y".</li>
 *   <li>Safety checks of that format: any failure refuses ("Image failed safety checks"; a truncated structure
 *       "Incomplete file cannot be safety checked"), except GPT failures named by
 *       {@code gpt_safety_checks_nonfatal}; a vmdk whose createType is not in {@code vmdk_allowed_types} fails.</li>
 * </ol>
 * With {@code require_image_format_match = false} a mismatch or multiple formats are only logged, no virtual size
 * is set, and (stricter than Glance, which then skips the safety checks) every detected format's safety checks
 * still run and refuse.
 */
public final class FormatRules {
    private static final Logger LOG = LoggerFactory.getLogger(FormatRules.class);
    /** The formats Glint recognises from content: oslo.utils' ALL_FORMATS plus ploop. */
    static final Set<String> INSPECTABLE =
        Set.of("raw", "qcow2", "vhd", "vhdx", "vmdk", "vdi", "qed", "iso", "gpt", "luks", "ploop");
    static final String SAFETY = "Image failed safety checks";
    static final String INCOMPLETE = "Incomplete file cannot be safety checked";

    private final FormatOptions options;

    public FormatRules(FormatOptions options) {
        this.options = options;
    }

    /**
     * @param diskFormat the image's declared {@code disk_format}
     * @return the format the data is taken for and the virtual size to set
     * @throws FormatRefused when the data must not be stored under that disk format
     */
    public Verdict judge(String diskFormat, Inspection inspection) throws FormatRefused {
        return judge(diskFormat, "bare", inspection);
    }

    /**
     * {@link #judge(String, Inspection)} for data of this container format. {@code compressed} data is an archive
     * of the disk (Glance's {@code image_decompression} plugin unpacks it at import, and the unpacked disk is judged
     * then): content that is no disk format is accepted without a virtual size, whatever {@code disk_format} says;
     * a disk format found in it is judged as usual, so a label cannot carry an unsafe disk through.
     */
    public Verdict judge(String diskFormat, String containerFormat, Inspection inspection) throws FormatRefused {
        java.util.Objects.requireNonNull(diskFormat, "disk_format must be set before data is judged");
        if (inspection.archive().isPresent()) {
            return judgeArchive(diskFormat, inspection);
        }
        return judgeDisk(diskFormat, inspection, "compressed".equals(containerFormat));
    }

    private Verdict judgeArchive(String diskFormat, Inspection ova) throws FormatRefused {
        Inspection.Archive archive = ova.archive().orElseThrow();
        List<Detected> whole = nonRaw(ova.matches());
        String problem = archive.fault().orElse(null);
        if (problem == null && !whole.isEmpty()) {
            problem = "OVA data is not a tar archive but " + names(whole, ",") + " data";
        }
        if (problem != null) {
            if (options.requireFormatMatch()) {
                throw new FormatRefused(problem);
            }
            LOG.warn("Image container ova did not read through: {}", problem);
        }
        checkSafety(whole);
        Verdict first = null;
        for (Inspection.Disk disk : archive.disks()) {
            Verdict v = judgeDisk(diskFormat, disk.inspection(), false);
            first = first == null ? v : first;
        }
        return first != null ? first : new Verdict(diskFormat, OptionalLong.empty());
    }

    private Verdict judgeDisk(String diskFormat, Inspection inspection, boolean archiveOfDisk) throws FormatRefused {
        List<Detected> matches = inspection.matches().isEmpty()
            ? List.of(new Detected("raw", inspection.size(), Map.of())) : inspection.matches();
        Detected chosen = choose(matches);
        String mismatch = null;
        String takenAs = null;
        OptionalLong virtualSize = OptionalLong.empty();
        if (chosen == null) {
            mismatch = "Multiple formats detected: " + names(matches, ",");
        } else if (chosen.format().equals(diskFormat)) {
            takenAs = diskFormat;
            virtualSize = positive(chosen.virtualSize());
        } else if (chosen.format().equals("raw") && !INSPECTABLE.contains(diskFormat)) {
            LOG.info("Image format {} is not an inspectable type", diskFormat);
            takenAs = "raw";
        } else if (chosen.format().equals("raw") && archiveOfDisk) {
            LOG.info("Compressed data of a {} disk: judged when unpacked", diskFormat);
            takenAs = "raw";
        } else if (diskFormat.equals("raw")) {
            LOG.warn("Image claims 'raw' disk_format but is actually '{}'", chosen.format());
            takenAs = "raw";
            virtualSize = positive(inspection.size());
        } else {
            mismatch = String.format("Image disk_format %s does not match stream data %s", diskFormat,
                chosen.format());
        }
        if (mismatch != null) {
            if (options.requireFormatMatch()) {
                throw new FormatRefused(mismatch);
            }
            LOG.warn("Image format {} did not match ({}); unable to calculate virtual size", diskFormat, mismatch);
            checkSafety(matches);
            return new Verdict(names(matches, "+"), OptionalLong.empty());
        }
        checkSafety(List.of(chosen));
        return new Verdict(takenAs, virtualSize);
    }

    /** The format the data is taken for, or null when several formats matched in a way Glance does not allow. */
    private static Detected choose(List<Detected> matches) {
        if (matches.size() == 1) {
            return matches.get(0);
        }
        Map<String, Detected> byName = new LinkedHashMap<>();
        for (Detected d : matches) {
            byName.put(d.format(), d);
        }
        if (matches.size() == 2 && byName.keySet().equals(Set.of("iso", "gpt"))) {
            LOG.debug("Detected format as ISO+GPT, allowing as ISO");
            return byName.get("iso");
        }
        if (matches.size() == 2 && byName.keySet().equals(Set.of("vhd", "gpt"))
            && byName.get("vhd").subformat().equals("fixed")) {
            return byName.get("vhd");
        }
        return null;
    }

    private void checkSafety(List<Detected> detected) throws FormatRefused {
        for (Detected d : detected) {
            Map<String, String> fatal = fatal(d);
            if (!fatal.isEmpty()) {
                LOG.warn("Image {} failed safety checks: {}", d.format(), fatal);
                throw new FormatRefused(fatal.containsKey(Probe.INCOMPLETE) ? INCOMPLETE : SAFETY);
            }
            if (!d.safe()) {
                LOG.warn("Non-fatal safety check failures on {}: {}", d.format(), d.safetyFailures());
            }
        }
    }

    /** The failures that refuse: all but the GPT checks the operator made non-fatal, plus vmdk_allowed_types. */
    Map<String, String> fatal(Detected d) {
        Map<String, String> fatal = new LinkedHashMap<>(d.safetyFailures());
        if (d.format().equals("gpt")) {
            Set<String> relaxed = new HashSet<>(options.gptSafetyChecksNonfatal());
            if (relaxed.contains("mbr")) {
                relaxed.add("gptmbr");
            }
            fatal.keySet().removeAll(relaxed);
        }
        if (d.format().equals("vmdk") && !vmdkAllowed(d.subformat())) {
            fatal.putIfAbsent("vmdk_allowed_types", "VMDK createType " + d.subformat() + " is not allowed");
        }
        return fatal;
    }

    private boolean vmdkAllowed(String createType) {
        for (String allowed : options.vmdkAllowedTypes()) {
            if (allowed.toLowerCase(Locale.ROOT).equals(createType.toLowerCase(Locale.ROOT))) {
                return true;
            }
        }
        return false;
    }

    private static List<Detected> nonRaw(List<Detected> matches) {
        List<Detected> out = new ArrayList<>();
        for (Detected d : matches) {
            if (!d.format().equals("raw")) {
                out.add(d);
            }
        }
        return out;
    }

    private static String names(List<Detected> matches, String separator) {
        return matches.stream().map(Detected::format).collect(Collectors.joining(separator));
    }

    private static OptionalLong positive(long size) {
        return size > 0 ? OptionalLong.of(size) : OptionalLong.empty();
    }
}
