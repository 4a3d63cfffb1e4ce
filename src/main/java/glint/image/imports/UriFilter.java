package glint.image.imports;

import glint.config.GlintConfig.ImportFilterConfig;
import glint.store.http.HttpGuard;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which URIs web-download may fetch: Glance's {@code [import_filtering_opts]} (glance/common/utils.py
 * {@code get_validated_address}, with Debian's 2026 SSRF fixes). Two steps:
 * <ol>
 *   <li>{@link #check(String)}, when the import is requested (400 if refused): scheme, host and port against the
 *       allow/deny lists (an allow list, when set, makes its deny list ignored); encoded IPv4 forms ({@code 2130706433},
 *       {@code 127.1}, {@code 0x7f.1}) are refused; an IP literal must pass the address rule below.</li>
 *   <li>{@link #resolve(URI)}, right before each connection (the first and every redirect): the host's addresses
 *       from DNS; loopback, link-local (169.254.169.254!) and the wildcard address are skipped unless the host is in
 *       {@code allowed_hosts}, as are addresses in {@code disallowed_hosts}; no address left → refused.</li>
 * </ol>
 * Unlike Debian's patched Glance, the DNS lookup is not done while the client waits: an unresolvable host is
 * accepted (202) and the import fails in its task, as Tempest 33's {@code test_image_web_download_import_with_bad_url}
 * expects. The request thread then never blocks on DNS, and the answer does not reveal which internal names resolve.
 * Private (RFC 1918) addresses are allowed, as in Glance, so private clouds can import from internal servers; deny
 * them with {@code disallowed_hosts} or an {@code allowed_hosts} list.
 */
public final class UriFilter {
    private static final Pattern HOSTNAME = Pattern.compile(
            "^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\\.?$");
    private static final Pattern DOTTED_QUAD = Pattern.compile("^(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}$");

    /** A host name resolver; {@link InetAddress#getAllByName} in production. */
    @FunctionalInterface
    public interface Resolver {
        List<InetAddress> resolve(String host) throws UnknownHostException;
    }

    /** Why a URI was refused; the message is for logs and the task, never echoes resolved addresses. */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message);
        }
    }

    private final ImportFilterConfig rules;
    private final Resolver resolver;

    public UriFilter(ImportFilterConfig rules, Resolver resolver) {
        this.rules = rules;
        this.resolver = resolver;
    }

    public static UriFilter withDns(ImportFilterConfig rules) {
        return new UriFilter(rules, host -> List.of(InetAddress.getAllByName(host)));
    }

    /** Step 1, without DNS. @return the parsed URI @throws Refused if the lists or the literal address refuse it */
    public URI check(String uri) throws Refused {
        if (uri == null || uri.isBlank()) {
            throw new Refused("empty external URI");
        }
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            throw new Refused("not a URI: " + uri);
        }
        String scheme = Optional.ofNullable(parsed.getScheme()).map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        boolean schemeOk = !rules.allowedSchemes().isEmpty() ? rules.allowedSchemes().contains(scheme)
                : !rules.disallowedSchemes().contains(scheme);
        if (scheme.isEmpty() || !schemeOk || !(scheme.equals("http") || scheme.equals("https"))) {
            throw new Refused("scheme not allowed for external URI: " + uri);
        }
        String host = normalizedHost(parsed).orElseThrow(() -> new Refused("host not allowed for external URI: " + uri));
        boolean hostOk = !rules.allowedHosts().isEmpty() ? rules.allowedHosts().contains(host)
                : !rules.disallowedHosts().contains(host);
        if (!hostOk) {
            throw new Refused("host not allowed for external URI: " + uri);
        }
        int port = parsed.getPort();
        if (port != -1) {
            boolean portOk = !rules.allowedPorts().isEmpty() ? rules.allowedPorts().contains(port)
                    : !rules.disallowedPorts().contains(port);
            if (!portOk) {
                throw new Refused("port not allowed for external URI: " + uri);
            }
        }
        if (isIpLiteral(host)) {
            resolve(parsed);
        }
        return parsed;
    }

    /**
     * Step 2: the address to connect to, after step 1 has passed. The JVM caches the lookup (30 s by default), so
     * the HTTP client connects to the address checked here.
     */
    public InetAddress resolve(URI uri) throws Refused {
        String host = normalizedHost(uri).orElseThrow(() -> new Refused("host not allowed for external URI: " + uri));
        boolean whitelisted = rules.allowedHosts().contains(host);
        List<String> denied = rules.allowedHosts().isEmpty() ? rules.disallowedHosts() : List.of();
        List<InetAddress> addresses;
        try {
            addresses = resolver.resolve(host.startsWith("[") ? host.substring(1, host.length() - 1) : host);
        } catch (UnknownHostException e) {
            throw new Refused("failed to resolve external host " + host);
        }
        for (InetAddress a : addresses) {
            if (whitelisted) {
                return a;
            }
            InetAddress check = ipv4Mapped(a).orElse(a);
            if (check.isLoopbackAddress() || check.isLinkLocalAddress() || check.isAnyLocalAddress()) {
                continue;
            }
            if (!denied.contains(a.getHostAddress()) && !denied.contains(check.getHostAddress())) {
                return a;
            }
        }
        throw new Refused("no allowed addresses for external host: " + host);
    }

    /** This filter as the http store's guard: both steps before every request it makes (Debian's Glance, bug 2161330). */
    public HttpGuard httpGuard() {
        return url -> {
            try {
                URI checked = check(url);
                resolve(checked);
                return checked;
            } catch (Refused e) {
                throw new HttpGuard.Refused(url);
            }
        };
    }

    /** The host in Glance's normalized form (lower case; IPv6 without brackets); empty for encoded IPv4 forms. */
    static Optional<String> normalizedHost(URI uri) {
        String host = uri.getHost();
        if (host == null || host.isEmpty()) {
            return Optional.empty();
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            try {
                InetAddress a = InetAddress.getByName(host.substring(1, host.length() - 1)); // a literal: no DNS
                return a instanceof Inet6Address ? Optional.of(a.getHostAddress().replaceAll("(^|:)0(:0)+(:|$)", "::"))
                        : Optional.empty();
            } catch (UnknownHostException e) {
                return Optional.empty();
            }
        }
        if (DOTTED_QUAD.matcher(host).matches()) {
            return Optional.of(host);
        }
        // shorthand or encoded IPv4 (127.1, 2130706433, 0x7f000001, 0177.0.0.1) that a resolver might still accept
        if (host.chars().allMatch(c -> Character.isDigit(c) || c == '.') || host.matches("^(0x[0-9a-f]*|0[0-7]+)(\\..*)?$")
                || host.matches(".*\\.(0x[0-9a-f]*|\\d+)$") && host.matches("^[0-9a-fx.]+$")) {
            return Optional.empty();
        }
        return HOSTNAME.matcher(host).matches() ? Optional.of(host) : Optional.empty();
    }

    private static boolean isIpLiteral(String host) {
        return DOTTED_QUAD.matcher(host).matches() || host.contains(":");
    }

    private static Optional<InetAddress> ipv4Mapped(InetAddress a) {
        if (a instanceof Inet6Address && a.getAddress().length == 16) {
            byte[] b = a.getAddress();
            for (int i = 0; i < 10; i++) {
                if (b[i] != 0) {
                    return Optional.empty();
                }
            }
            if ((b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff) {
                try {
                    return Optional.of(Inet4Address.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
                } catch (UnknownHostException e) {
                    return Optional.empty();
                }
            }
        }
        return Optional.empty();
    }
}
