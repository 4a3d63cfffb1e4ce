package glint.metadef;

import java.util.List;
import java.util.Optional;

/** One page of namespaces and the marker of the next page (the last name, when the page is full). */
public record NamespacePage(List<NamespaceView> namespaces, Optional<String> next) {}
