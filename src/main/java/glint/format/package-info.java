/**
 * What an image's data is, and whether Glance would store it under its declared {@code disk_format}.
 *
 * <p>{@link glint.format.FormatInspector} watches the data stream once, in order, keeping only bounded regions: the
 * fixed-offset headers of every format, the regions those headers point to (capped), and the last 1536 bytes (VHD
 * footer, vmdk footer and end-of-stream marker). Each format is one package-private {@code *Probe} class;
 * {@code DiskScan} runs them all over a disk stream, {@code OvaScan} reads an OVA's tar headers as they pass and runs
 * a {@code DiskScan} per member. {@link glint.format.FormatRules} then applies Glance's {@code set_data} rules and
 * {@code [image_format]} options to the resulting {@link glint.format.Inspection}.
 *
 * <p>Containers: {@code ova} is read as a tar and each disk member (every regular file but {@code .ovf},
 * {@code .mf}, {@code .cert}) is judged as a disk; every other container format is inspected as the disk itself.
 */
package glint.format;
