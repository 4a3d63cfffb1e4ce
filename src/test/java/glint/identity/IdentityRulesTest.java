package glint.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.IdentityRecords.Domain;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import glint.identity.IdentityRules.Target;
import glint.testing.DatabaseNeutral;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Keystone's default policies (keystone/common/policies) as {@link IdentityRules} names them; no HTTP. */
@DatabaseNeutral
class IdentityRulesTest {
    private static final Domain DEFAULT = new Domain("default", "Default", true);
    private static final Project ALPHA = new Project("alpha-id", "alpha", "default", Optional.empty(), true);
    private static final Project BETA = new Project("beta-id", "beta", "other", Optional.empty(), true);

    /** A caller with these roles on alpha (or on the system), as its validated token says. */
    private static Caller caller(String userId, boolean system, String... roles) {
        Token token = new Token(userId, system ? Optional.empty() : Optional.of(ALPHA.id()), system, List.of("password"),
                Instant.EPOCH, Instant.EPOCH.plusSeconds(3600), List.of("audit"));
        User user = new User(userId, userId, "default", Optional.empty(), true, Optional.empty(), Optional.empty());
        return new Caller(new ValidToken("t-" + userId, token, user, DEFAULT, system ? Optional.empty() : Optional.of(ALPHA),
                system ? Optional.empty() : Optional.of(DEFAULT), Arrays.stream(roles).map(r -> new Role(r + "-id", r)).toList()));
    }

    private static final Caller ADMIN = caller("admin", false, "admin", "member", "reader");
    private static final Caller SYSTEM_READER = caller("auditor", true, "reader");
    private static final Caller PROJECT_READER = caller("peer", false, "reader");
    private static final Caller MEMBER = caller("alice", false, "member", "reader");
    private static final Caller SERVICE = caller("glance", false, "service");

    @Test
    void writesNeedTheAdminRole() {
        for (String rule : List.of("create_project", "update_user", "delete_role", "create_grant", "revoke_system_grant_for_user",
                "create_endpoint", "update_limit", "delete_registered_limit")) {
            assertThat(IdentityRules.allows(ADMIN, rule, Target.NONE)).as(rule).isTrue();
            for (Caller other : List.of(SYSTEM_READER, MEMBER, SERVICE)) {
                assertThat(IdentityRules.allows(other, rule, Target.NONE)).as(rule + " by " + other.token().user().id()).isFalse();
            }
        }
    }

    @Test
    void readsAllowASystemReaderButNotAProjectReader() {
        // rule:admin_required or (role:reader and system_scope:all)
        for (String rule : List.of("list_projects", "list_users", "get_role", "check_grant", "list_role_assignments",
                "list_services", "get_endpoint")) {
            assertThat(IdentityRules.allows(ADMIN, rule, Target.NONE)).as(rule).isTrue();
            assertThat(IdentityRules.allows(SYSTEM_READER, rule, Target.NONE)).as(rule).isTrue();
            assertThat(IdentityRules.allows(PROJECT_READER, rule, Target.NONE)).as(rule).isFalse();
        }
    }

    @Test
    void anyValidTokenReadsRegionsAndRegisteredLimits() {
        for (String rule : List.of("list_regions", "get_region", "list_registered_limits", "get_limit_model", "list_limits")) {
            assertThat(IdentityRules.allows(MEMBER, rule, Target.NONE)).as(rule).isTrue();
        }
    }

    @Test
    void ownProjectDomainAndUserAreVisibleToTheirMembers() {
        assertThat(IdentityRules.allows(MEMBER, "get_project", Target.project(ALPHA.id()))).isTrue();
        assertThat(IdentityRules.allows(MEMBER, "get_project", Target.project(BETA.id()))).isFalse();
        assertThat(IdentityRules.allows(MEMBER, "get_domain", Target.domain("default"))).isTrue();
        assertThat(IdentityRules.allows(MEMBER, "get_domain", Target.domain("other"))).isFalse();
        assertThat(IdentityRules.allows(MEMBER, "get_user", Target.user("alice"))).isTrue();
        assertThat(IdentityRules.allows(MEMBER, "list_user_projects", Target.user("alice"))).isTrue();
        assertThat(IdentityRules.allows(MEMBER, "get_user", Target.user("admin"))).isFalse();
        assertThat(IdentityRules.allows(SYSTEM_READER, "get_user", Target.user("admin"))).isTrue();
    }

    @Test
    void aLimitIsVisibleToItsProjectAndToAdminsSystemAndServices() {
        assertThat(IdentityRules.allows(MEMBER, "get_limit", Target.project(ALPHA.id()))).isTrue();
        assertThat(IdentityRules.allows(MEMBER, "get_limit", Target.project(BETA.id()))).isFalse();
        for (Caller c : List.of(ADMIN, SYSTEM_READER, SERVICE)) {
            assertThat(IdentityRules.allows(c, "get_limit", Target.project(BETA.id()))).isTrue();
        }
        assertThat(IdentityRules.limitsProject(MEMBER, Optional.empty())).contains(ALPHA.id());
        assertThat(IdentityRules.limitsProject(MEMBER, Optional.of(BETA.id()))).contains("");
        assertThat(IdentityRules.limitsProject(SERVICE, Optional.of(BETA.id()))).contains(BETA.id());
        assertThat(IdentityRules.limitsProject(ADMIN, Optional.empty())).isEmpty();
    }

    @Test
    void tokensAreValidatedByTheirUserAndReadersAndRevokedByTheirUserOrAnAdmin() {
        Target alicesToken = Target.token(MEMBER.token());
        for (String rule : List.of("validate_token", "check_token")) {
            for (Caller c : List.of(MEMBER, ADMIN, SYSTEM_READER, SERVICE)) {
                assertThat(IdentityRules.allows(c, rule, alicesToken)).as(rule + " by " + c.token().user().id()).isTrue();
            }
            assertThat(IdentityRules.allows(PROJECT_READER, rule, alicesToken)).as(rule).isFalse();
        }
        assertThat(IdentityRules.allows(MEMBER, "revoke_token", alicesToken)).isTrue();
        assertThat(IdentityRules.allows(ADMIN, "revoke_token", alicesToken)).isTrue();
        for (Caller c : List.of(SYSTEM_READER, SERVICE, PROJECT_READER)) {
            assertThat(IdentityRules.allows(c, "revoke_token", alicesToken)).as("revoke by " + c.token().user().id()).isFalse();
        }
    }

    @Test
    void aRuleThatDoesNotExistIsAProgrammingError() {
        assertThatThrownBy(() -> IdentityRules.allows(ADMIN, "get_everything", Target.NONE))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCatalogNeedsAScopedToken() {
        IdentityRules.checkCatalogScope(MEMBER);
        IdentityRules.checkCatalogScope(SYSTEM_READER);
        Caller unscoped = new Caller(new ValidToken("u", new Token("alice", Optional.empty(), false, List.of("password"),
                Instant.EPOCH, Instant.EPOCH, List.of("a")), MEMBER.token().user(), DEFAULT, Optional.empty(), Optional.empty(),
                List.of()));
        assertThatThrownBy(() -> IdentityRules.checkCatalogScope(unscoped)).isInstanceOfSatisfying(GlintException.class,
                e -> assertThat(e.getMessage()).isEqualTo("A project-scoped token is required to produce a service catalog."));
    }

    @Test
    void verdictsOnRealTokens401Then404Then403() {
        try (IdentityFixture fixture = new IdentityFixture()) {
            IdentityFixture.Node node = fixture.node();
            new IdentityBootstrap(node.identity()).run(Optional.of("admin-pw"));
            Project alpha = node.identity().ensureProject("alpha");
            for (String name : List.of("alice", "bob")) {
                User u = node.identity().ensureUser(name, name + "-pw", Optional.empty());
                node.identity().assignProjectRole(u.id(), alpha.id(), "member");
            }
            String alice = login(node, "alice").id();
            String bob = login(node, "bob").id();
            IdentityRules rules = new IdentityRules(node.tokens());

            assertKind(() -> rules.caller(Optional.empty()), ErrorKind.UNAUTHORIZED);
            assertKind(() -> rules.authorize(Optional.of("forged"), "list_regions", Target.NONE), ErrorKind.UNAUTHORIZED);
            assertThat(rules.authorize(Optional.of(" " + alice + " "), "list_regions", Target.NONE).token().user().name())
                    .isEqualTo("alice");
            assertThatThrownBy(() -> rules.authorize(Optional.of(alice), "create_project", Target.NONE))
                    .isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.getMessage())
                            .isEqualTo("You are not authorized to perform the requested action: identity:create_project."));
            Caller asAlice = rules.caller(Optional.of(alice));
            assertKind(() -> rules.subject(asAlice, "validate_token", "gone"), ErrorKind.NOT_FOUND);
            assertKind(() -> rules.subject(asAlice, "validate_token", bob), ErrorKind.FORBIDDEN);
            assertThat(rules.subject(asAlice, "revoke_token", alice).user().name()).isEqualTo("alice");
            Caller asAdmin = rules.caller(Optional.of(login(node, "admin").id()));
            assertThat(rules.subject(asAdmin, "revoke_token", bob).user().name()).isEqualTo("bob");
        }
    }

    private static ValidToken login(IdentityFixture.Node node, String name) {
        return node.tokens().issue(new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.empty(),
                Optional.of(name), Optional.empty(), Optional.of("Default"), name + "-pw")), Optional.empty(),
                new ProjectScope(Optional.empty(), Optional.of(name.equals("admin") ? "admin" : "alpha"), Optional.empty(),
                        Optional.of("Default"))));
    }

    private static void assertKind(Runnable call, ErrorKind kind) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(GlintException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }
}
