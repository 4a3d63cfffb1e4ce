package glint.image;

/**
 * One operation of a PATCH document, decoded and schema-checked by the API layer.
 *
 * @param attribute a base attribute name (name, visibility, tags, …) or an extra property key
 * @param value     String, Integer, Boolean, {@code List<String>} (tags) or null (JSON null); ignored for REMOVE
 * @param draft4    true for {@code application/openstack-images-v2.0-json-patch}, where add on an existing
 *                  property is a conflict
 */
public record ImageChange(Op op, String attribute, Object value, boolean draft4) {
    public enum Op { ADD, REPLACE, REMOVE }
}
