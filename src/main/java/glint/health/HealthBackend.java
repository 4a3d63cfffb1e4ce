package glint.health;

/**
 * One backend of the healthcheck (oslo.middleware's {@code HealthcheckBaseExtension}): asked on every request, so it
 * must answer quickly and never throw.
 */
@FunctionalInterface
public interface HealthBackend {
    /** @param serverPort the port the request came in on (oslo's {@code req.server_port}: {@code disable_by_files_ports}) */
    HealthResult check(int serverPort);
}
