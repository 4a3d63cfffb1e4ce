package glint.policy;

import glint.auth.RequestContext;

/** Decides whether a named Glance policy rule (e.g. {@code get_image}, {@code publicize_image}) allows a request. */
public interface Policy {
    boolean allows(String rule, RequestContext context, PolicyTarget target);
}
