package glint.identity;

import glint.error.ErrorKind;
import glint.error.GlintException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keystone's default policies for the built-in identity, by rule name (keystone/common/policies: domain.py,
 * project.py, user.py, role.py, grant.py, role_assignment.py, region.py, service.py, endpoint.py,
 * registered_limit.py, limit.py, token.py): who may do what. Writes need the admin role; reads also allow a
 * system-scoped reader, a project's own users (show project, a limit of it), the domain of the caller's project (show
 * domain) and a user itself (show user, list its projects); any valid token reads regions, registered limits and
 * limits; a token's own user, an admin, a system reader or a service validates and checks a token, and its own user
 * or an admin revokes it.
 *
 * <p>A missing or invalid token is {@link ErrorKind#UNAUTHORIZED}, a rule that says no is Keystone's 403; how these
 * reach the client (Keystone's {@code WWW-Authenticate}) is the API's business.
 */
public final class IdentityRules {
    /** What a rule is checked against: Keystone's {@code target.project.id}, {@code target.user.id}, {@code target.domain.id}. */
    public record Target(Optional<String> projectId, Optional<String> userId, Optional<String> domainId) {
        public static final Target NONE = new Target(Optional.empty(), Optional.empty(), Optional.empty());

        public static Target project(String id) {
            return new Target(Optional.of(id), Optional.empty(), Optional.empty());
        }

        public static Target user(String id) {
            return new Target(Optional.empty(), Optional.of(id), Optional.empty());
        }

        public static Target domain(String id) {
            return new Target(Optional.empty(), Optional.empty(), Optional.of(id));
        }

        /** A token as the token API's target: its user. */
        public static Target token(ValidToken subject) {
            return user(subject.user().id());
        }
    }

    @FunctionalInterface
    private interface Rule {
        boolean allows(Caller caller, Target target);
    }

    private static final Rule ADMIN = (c, t) -> c.admin();
    private static final Rule READER = (c, t) -> c.reader();
    private static final Rule ANYONE = (c, t) -> true;
    private static final Map<String, Rule> RULES = rules();

    private final TokenService tokens;

    public IdentityRules(TokenService tokens) {
        this.tokens = tokens;
    }

    private static Map<String, Rule> rules() {
        Map<String, Rule> r = new HashMap<>();
        for (String name : List.of("create_project", "update_project", "delete_project", "create_user", "update_user",
                "delete_user", "create_role", "delete_role", "create_grant", "revoke_grant", "create_system_grant_for_user",
                "revoke_system_grant_for_user", "create_region", "update_region", "delete_region", "create_service",
                "update_service", "delete_service", "create_endpoint", "update_endpoint", "delete_endpoint",
                "create_registered_limits", "update_registered_limit", "delete_registered_limit", "create_limits",
                "update_limit", "delete_limit")) {
            r.put(name, ADMIN);
        }
        for (String name : List.of("list_domains", "list_projects", "list_users", "list_roles", "get_role", "check_grant",
                "check_system_grant_for_user", "list_grants", "list_system_grants_for_user", "list_role_assignments",
                "list_services", "get_service", "list_endpoints", "get_endpoint")) {
            r.put(name, READER);
        }
        for (String name : List.of("list_regions", "get_region", "list_registered_limits", "get_registered_limit",
                "get_limit_model", "list_limits")) {
            r.put(name, ANYONE);
        }
        r.put("get_domain", (c, t) -> c.reader() || t.domainId().map(c::inDomain).orElse(false));
        r.put("get_project", (c, t) -> c.reader() || t.projectId().map(c::inProject).orElse(false));
        r.put("get_user", (c, t) -> c.reader() || t.userId().map(c::isUser).orElse(false));
        r.put("list_user_projects", r.get("get_user"));
        // limit.py ADMIN_OR_SYSTEM_OR_DOMAIN_OR_PROJECT_USER: a project user sees its project's limits
        r.put("get_limit", (c, t) -> c.seesEveryProjectsLimits() || t.projectId().map(c::inProject).orElse(false));
        // token.py: rule:token_subject is the token's own user
        Rule subjectOrReader = (c, t) -> c.admin() || c.service() || (c.system() && c.has("reader"))
                || t.userId().map(c::isUser).orElse(false);
        r.put("validate_token", subjectOrReader);
        r.put("check_token", subjectOrReader);
        r.put("revoke_token", (c, t) -> c.admin() || t.userId().map(c::isUser).orElse(false));
        return Map.copyOf(r);
    }

    /** The caller whose token this is; {@link ErrorKind#UNAUTHORIZED} when it is missing or invalid (as Keystone). */
    public Caller caller(Optional<String> authToken) {
        return authToken.map(String::strip).flatMap(tokens::validate).map(Caller::new)
                .orElseThrow(() -> new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication."));
    }

    /** The caller, when its token is valid and {@code identity:<rule>} allows it on the target. */
    public Caller authorize(Optional<String> authToken, String rule, Target target) {
        Caller caller = caller(authToken);
        check(caller, rule, target);
        return caller;
    }

    /** Keystone's 403 unless {@code identity:<rule>} allows the caller on the target. */
    public void check(Caller caller, String rule, Target target) {
        if (!allows(caller, rule, target)) {
            throw GlintException.forbidden("You are not authorized to perform the requested action: identity:" + rule + ".");
        }
    }

    public static boolean allows(Caller caller, String rule, Target target) {
        Rule r = RULES.get(rule);
        if (r == null) {
            throw new IllegalArgumentException("no identity rule " + rule);
        }
        return r.allows(caller, target);
    }

    /**
     * The token named by {@code X-Subject-Token} after {@code identity:<rule>} of the token API
     * (validate_token, check_token, revoke_token); Keystone's 404 TokenNotFound when it is not valid.
     */
    public ValidToken subject(Caller caller, String rule, String subjectId) {
        ValidToken subject = tokens.validate(subjectId)
                .orElseThrow(() -> GlintException.notFound("Could not find token: " + subjectId + "."));
        check(caller, rule, Target.token(subject));
        return subject;
    }

    /** The project whose limits a caller lists (keystone/api/limits.py): any asked for, or its own only ("" for none). */
    public static Optional<String> limitsProject(Caller caller, Optional<String> asked) {
        if (caller.seesEveryProjectsLimits()) {
            return asked;
        }
        Optional<String> own = caller.token().project().map(p -> p.id());
        return Optional.of(own.filter(p -> asked.isEmpty() || asked.get().equals(p)).orElse(""));
    }

    /** Keystone's {@code GET /v3/auth/catalog}: 403 for an unscoped token. */
    public static void checkCatalogScope(Caller caller) {
        if (caller.token().project().isEmpty() && !caller.system()) {
            throw GlintException.forbidden("A project-scoped token is required to produce a service catalog.");
        }
    }
}
