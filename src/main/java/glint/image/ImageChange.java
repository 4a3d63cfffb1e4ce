package glint.image;

/**
 * One operation of a PATCH document, decoded and schema-checked by the API layer.
 *
 * @param attribute a base attribute name (name, visibility, tags, locations, …) or an extra property key
 * @param value     String, Integer, Boolean, {@code List<String>} (tags), a location ({@code Map}) or the locations
 *                  ({@code List<Map>}) as JSON values, or null (JSON null); ignored for REMOVE
 * @param draft4    true for {@code application/openstack-images-v2.0-json-patch}, where add on an existing
 *                  property is a conflict
 * @param index     for {@code /locations/N} and {@code /locations/-}: the second token of the path; else null
 */
public record ImageChange(Op op, String attribute, Object value, boolean draft4, String index) {
    public enum Op { ADD, REPLACE, REMOVE }

    public ImageChange(Op op, String attribute, Object value, boolean draft4) {
        this(op, attribute, value, draft4, null);
    }
}
