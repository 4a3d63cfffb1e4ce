package glint.identity;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * The service catalog of the built-in identity: this server is both the image service and the identity service,
 * each with a public, an internal and an admin endpoint in one region.
 *
 * <p>URLs are registered as Glance and Keystone are in a deployment (e.g. by devstack): the image endpoint is the
 * unversioned root ({@code http://host:9292}; clients discover {@code /v2} from the versions document there) and
 * the identity endpoint is the unversioned {@code http://host:9292/identity}, whose discovery document (300) leads
 * keystoneauth to {@code /identity/v3}.
 */
public final class Catalog {
    public static final List<String> INTERFACES = List.of("public", "internal", "admin");

    public record Endpoint(String id, String iface, String region, String url) {}

    public record Service(String id, String type, String name, List<Endpoint> endpoints) {}

    private Catalog() {}

    /** {@code baseUrl} is how clients reach this server, without a trailing slash; {@code identityPath} e.g. {@code /identity}. */
    public static List<Service> build(String baseUrl, String identityPath, String region) {
        return List.of(service("image", "glance", baseUrl, region), service("identity", "keystone", baseUrl + identityPath, region));
    }

    private static Service service(String type, String name, String url, String region) {
        List<Endpoint> endpoints = INTERFACES.stream()
                .map(iface -> new Endpoint(stableId(type + "/" + iface + "/" + region), iface, region, url)).toList();
        return new Service(stableId(type), type, name, endpoints);
    }

    /** Keystone-shaped ids (32 hex digits) that are the same on every node and every start. */
    private static String stableId(String name) {
        return UUID.nameUUIDFromBytes(("glint-catalog/" + name).getBytes(StandardCharsets.UTF_8)).toString().replace("-", "");
    }
}
