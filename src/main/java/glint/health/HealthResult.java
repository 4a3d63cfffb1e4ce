package glint.health;

/**
 * What one backend of the healthcheck says: oslo.middleware's {@code HealthcheckResult}. {@code reason} is what
 * everyone sees ({@code OK}, {@code DISABLED BY FILE}); {@code details} only an admin, with {@code detailed = true}.
 */
public record HealthResult(boolean available, String reason, String details) {
    public static final String OK = "OK";

    public static HealthResult ok(String details) {
        return new HealthResult(true, OK, details);
    }

    public static HealthResult down(String reason, String details) {
        return new HealthResult(false, reason, details);
    }
}
