package glint.identity;

/**
 * Who calls the built-in identity's APIs: a validated token, and the checks Keystone's default policies are made of
 * (keystone/common/policies/base.py). {@link IdentityRules} names which of them each API call needs.
 */
public record Caller(ValidToken token) {
    public boolean has(String role) {
        return token.roles().stream().anyMatch(r -> r.name().equals(role));
    }

    /** {@code rule:admin_required}. */
    public boolean admin() {
        return has("admin");
    }

    /** {@code rule:admin_required or (role:reader and system_scope:all)}. */
    public boolean reader() {
        return admin() || (system() && has("reader"));
    }

    /** {@code system_scope:all}. */
    public boolean system() {
        return token.token().system();
    }

    /** {@code rule:service_role}. */
    public boolean service() {
        return has("service");
    }

    /** {@code project_id:%(target.project.id)s}. */
    public boolean inProject(String projectId) {
        return token.project().map(p -> p.id().equals(projectId)).orElse(false);
    }

    /** {@code domain_id:%(target.domain.id)s}: the domain of the caller's project. */
    public boolean inDomain(String domainId) {
        return token.project().map(p -> p.domainId().equals(domainId)).orElse(false);
    }

    /** {@code user_id:%(target.user.id)s}. */
    public boolean isUser(String userId) {
        return token.user().id().equals(userId);
    }

    /** Admins, system-scoped tokens and services: Keystone's limits API shows them every project's limits. */
    public boolean seesEveryProjectsLimits() {
        return system() || admin() || service();
    }
}
