package glint.metadef;


/** A namespace as a caller sees it: in a list only with its resource type associations, when shown with all. */
public record NamespaceView(Namespace namespace, NamespaceContents contents) {}
