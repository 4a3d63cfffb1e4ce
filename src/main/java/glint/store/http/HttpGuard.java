package glint.store.http;

import java.io.IOException;
import java.net.URI;

/**
 * Which URLs the http store may request, checked before every request, redirects included: Glint wires
 * web-download's import filter in ({@code [import_filtering_opts]}), as Debian's Glance checks http locations
 * against it (bug 2161330), so a location cannot make Glint request loopback or link-local addresses (SSRF).
 */
@FunctionalInterface
public interface HttpGuard {
    /** Refuses every URL: an http store nobody configured a filter for requests nothing. */
    HttpGuard REFUSE_ALL = url -> {
        throw new Refused(url);
    };

    /**
     * @return the URL to request, once its scheme, host and port pass and its host resolves to an allowed address
     * @throws Refused if the URL may not be requested
     */
    URI allow(String url) throws Refused;

    /** A URL the guard refused; the location is then unusable, as one that does not exist. */
    final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        public Refused(String url) {
            super("URL refused by the import filter: " + url);
        }
    }
}
