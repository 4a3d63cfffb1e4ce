package glint.http;

/**
 * Told of every request the {@link Router} has answered (the metrics). Called on the request's thread after the
 * response; must be quick and must not throw.
 *
 * @see glint.metrics.RequestMetrics
 */
@FunctionalInterface
public interface RequestListener {
    /**
     * @param route the template of the route the path matched ({@code /v2/images/{image_id}}), also when the method
     *     did not (405); {@link Router#UNMATCHED} when no route's template fits the path
     */
    void answered(String method, String route, int status, long nanos);

    RequestListener NONE = (method, route, status, nanos) -> { };
}
