package glint.identity;

import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.User;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * What {@code keystone-manage bootstrap} does, on every start: domain {@code Default} (id {@code default}), roles
 * admin, member and reader with admin → member → reader implied, project {@code admin}, user {@code admin} with role
 * admin on that project and on the system. Every step is idempotent, so a start that was interrupted half-way is
 * completed by the next one.
 *
 * <p>Two nodes starting at once on one database: the unique key on the user name lets exactly one of them create the
 * admin user; only that node made up (and so knows) a random password. A password that is given (the
 * {@code GLINT_ADMIN_PASSWORD} environment variable) is set on every start, as {@code keystone-manage bootstrap
 * --bootstrap-password} resets it.
 */
public final class IdentityBootstrap {
    public static final String ADMIN = "admin";

    private final IdentityService identity;
    private final SecureRandom random = new SecureRandom();

    public IdentityBootstrap(IdentityService identity) {
        this.identity = identity;
    }

    /** Runs the bootstrap; returns the admin password when this node knows it (so that openrc can be written). */
    public Optional<String> run(Optional<String> adminPassword) {
        identity.ensureDomain(IdentityService.DEFAULT_DOMAIN_ID, IdentityService.DEFAULT_DOMAIN_NAME);
        identity.addImpliedRole("admin", "member");
        identity.addImpliedRole("member", "reader");
        Project project = identity.ensureProject(ADMIN);
        Optional<String> known = adminPassword;
        Optional<User> existing = identity.userByName(IdentityService.DEFAULT_DOMAIN_ID, ADMIN);
        User admin;
        if (existing.isPresent()) {
            admin = existing.get();
            adminPassword.ifPresent(p -> identity.setPassword(admin.id(), p));
        } else {
            String password = adminPassword.orElseGet(this::randomPassword);
            // keystone-manage bootstrap gives the admin no default project: a token without scope stays unscoped
            Optional<User> created = identity.createUser(ADMIN, password, Optional.empty());
            if (created.isPresent()) {
                admin = created.get();
                known = Optional.of(password);
            } else { // another node created it a moment ago
                admin = identity.userByName(IdentityService.DEFAULT_DOMAIN_ID, ADMIN).orElseThrow();
                adminPassword.ifPresent(p -> identity.setPassword(admin.id(), p));
            }
        }
        identity.assignProjectRole(admin.id(), project.id(), "admin");
        identity.assignSystemRole(admin.id(), "admin");
        return known;
    }

    private String randomPassword() {
        byte[] b = new byte[18];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
