package glint.metadef;

/**
 * A property definition: its name and its JSON schema subset (Glance's PropertyType), kept as the JSON document
 * text the API layer normalised; the domain never looks inside it.
 */
public record PropertyDefinition(String name, String schemaJson) {}
