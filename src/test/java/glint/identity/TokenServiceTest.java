package glint.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.Scope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.AuthRequest.Unscoped;
import glint.identity.IdentityRecords.Project;
import glint.identity.IdentityRecords.Role;
import glint.identity.IdentityRecords.User;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue, validate and revoke on a real database: expiry, tampering, revocation, roles resolved at validation. */
class TokenServiceTest {
    private IdentityFixture fixture;
    private IdentityFixture.Node node;
    private IdentityService identity;
    private TokenService tokens;
    private Project alpha;
    private User alice;

    @BeforeEach
    void setUp() {
        fixture = new IdentityFixture();
        node = fixture.node();
        identity = node.identity();
        tokens = node.tokens();
        new IdentityBootstrap(identity).run(Optional.of("admin-pw"));
        alpha = identity.ensureProject("alpha");
        alice = identity.ensureUser("alice", "alice-pw", Optional.empty());
        identity.assignProjectRole(alice.id(), alpha.id(), "member");
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static AuthRequest password(String user, String password, Scope scope) {
        return new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.empty(), Optional.of(user),
                Optional.empty(), Optional.of("Default"), password)), Optional.empty(), scope);
    }

    private static AuthRequest token(String id, Scope scope) {
        return new AuthRequest(List.of("token"), Optional.empty(), Optional.of(id), scope);
    }

    private static ProjectScope project(String name) {
        return new ProjectScope(Optional.empty(), Optional.of(name), Optional.empty(), Optional.of("Default"));
    }

    private static List<String> roleNames(ValidToken t) {
        return t.roles().stream().map(Role::name).toList();
    }

    @Test
    void projectTokenCarriesUserProjectAndImpliedRoles() {
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        assertThat(t.user().id()).isEqualTo(alice.id());
        assertThat(t.userDomain().name()).isEqualTo("Default");
        assertThat(t.project()).map(Project::id).contains(alpha.id());
        assertThat(roleNames(t)).containsExactlyInAnyOrder("member", "reader");
        assertThat(t.token().methods()).containsExactly("password");
        assertThat(t.token().auditIds()).hasSize(1);
        assertThat(t.token().auditIds().get(0)).hasSize(22);
        assertThat(t.token().expiresAt()).isEqualTo(fixture.clock.instant().plus(IdentityFixture.TTL));
        assertThat(tokens.validate(t.id())).map(ValidToken::user).map(User::name).contains("alice");
    }

    @Test
    void adminImpliesMemberAndReader() {
        ValidToken t = tokens.issue(password("admin", "admin-pw", project("admin")));
        assertThat(roleNames(t)).containsExactlyInAnyOrder("admin", "member", "reader");
    }

    @Test
    void wrongPasswordUnknownUserAndRolelessProjectAre401() {
        identity.ensureProject("beta");
        for (AuthRequest bad : List.of(password("alice", "nope", project("alpha")), password("nobody", "alice-pw", project("alpha")),
                password("alice", "alice-pw", project("beta")), password("alice", "alice-pw", project("missing")),
                password("alice", "alice-pw", new SystemScope()))) {
            assertThatThrownBy(() -> tokens.issue(bad)).isInstanceOfSatisfying(GlintException.class,
                    e -> assertThat(e.kind()).isEqualTo(ErrorKind.UNAUTHORIZED));
        }
    }

    @Test
    void userByIdAndProjectByIdAndDomainId() {
        AuthRequest byId = new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.of(alice.id()),
                Optional.empty(), Optional.empty(), Optional.empty(), "alice-pw")), Optional.empty(),
                new ProjectScope(Optional.of(alpha.id()), Optional.empty(), Optional.empty(), Optional.empty()));
        assertThat(tokens.issue(byId).project()).map(Project::name).contains("alpha");
        AuthRequest byDomainId = new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.empty(),
                Optional.of("alice"), Optional.of("default"), Optional.empty(), "alice-pw")), Optional.empty(),
                new ProjectScope(Optional.empty(), Optional.of("alpha"), Optional.of("default"), Optional.empty()));
        assertThat(tokens.issue(byDomainId).project()).map(Project::name).contains("alpha");
    }

    @Test
    void expiredTokensAreInvalid() {
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        fixture.clock.advance(IdentityFixture.TTL.minusSeconds(1));
        assertThat(tokens.validate(t.id())).isPresent();
        fixture.clock.advance(Duration.ofSeconds(1));
        assertThat(tokens.validate(t.id())).isEmpty();
        assertThatThrownBy(() -> tokens.issue(token(t.id(), project("alpha")))).isInstanceOf(GlintException.class);
    }

    @Test
    void tamperedTokensAreInvalid() {
        String id = tokens.issue(password("alice", "alice-pw", project("alpha"))).id();
        char c = id.charAt(5);
        assertThat(tokens.validate(id.substring(0, 5) + (c == 'x' ? 'y' : 'x') + id.substring(6))).isEmpty();
        assertThat(tokens.validate(id + "x")).isEmpty();
        assertThat(tokens.validate("not-a-token")).isEmpty();
    }

    @Test
    void revokedTokensAreInvalidOthersLiveOn() {
        ValidToken a = tokens.issue(password("alice", "alice-pw", project("alpha")));
        ValidToken b = tokens.issue(password("alice", "alice-pw", project("alpha")));
        tokens.revoke(a);
        assertThat(tokens.validate(a.id())).isEmpty();
        assertThat(tokens.validate(b.id())).isPresent();
        tokens.revoke(a); // twice is fine
        assertThat(tokens.validate(a.id())).isEmpty();
    }

    @Test
    void rolesAreResolvedAtValidation() {
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        identity.assignProjectRole(alice.id(), alpha.id(), "admin");
        assertThat(tokens.validate(t.id()).map(TokenServiceTest::roleNames).orElseThrow())
                .containsExactlyInAnyOrder("admin", "member", "reader");
        identity.unassignProjectRole(alice.id(), alpha.id(), "admin");
        identity.unassignProjectRole(alice.id(), alpha.id(), "member");
        assertThat(tokens.validate(t.id())).isEmpty();
    }

    @Test
    void disablingAUserRevokesItsTokensForGood() {
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        fixture.clock.advance(Duration.ofSeconds(1));
        identity.setUserEnabled(alice.id(), false);
        assertThat(tokens.validate(t.id())).isEmpty();
        assertThatThrownBy(() -> tokens.issue(password("alice", "alice-pw", project("alpha")))).isInstanceOf(GlintException.class);
        fixture.clock.advance(Duration.ofSeconds(1));
        identity.setUserEnabled(alice.id(), true);
        // Keystone's update_user persists a revocation event when a user is disabled: enabling it again revives nothing
        assertThat(tokens.validate(t.id())).isEmpty();
        assertThat(tokens.issue(password("alice", "alice-pw", project("alpha"))).user().id()).isEqualTo(alice.id());
    }

    @Test
    void bootstrapRevokesTheAdminsTokensOnlyWhenItsPasswordChanges() {
        ValidToken t = tokens.issue(password("admin", "admin-pw", project("admin")));
        fixture.clock.advance(Duration.ofSeconds(1));
        new IdentityBootstrap(identity).run(Optional.of("admin-pw")); // every start of a node: the same password
        assertThat(tokens.validate(t.id())).isPresent();
        new IdentityBootstrap(identity).run(Optional.of("admin-pw-2")); // keystone-manage bootstrap's update_user
        assertThat(tokens.validate(t.id())).isEmpty();
        assertThatThrownBy(() -> tokens.issue(password("admin", "admin-pw", project("admin")))).isInstanceOf(GlintException.class);
        assertThat(tokens.issue(password("admin", "admin-pw-2", project("admin"))).user().name()).isEqualTo("admin");
    }

    @Test
    void rescopingKeepsExpiryChainsAuditIdsAndAddsTheMethod() {
        ValidToken unscoped = tokens.issue(password("alice", "alice-pw", new Unscoped(false)));
        assertThat(unscoped.project()).isEmpty();
        assertThat(unscoped.roles()).isEmpty();
        fixture.clock.advance(Duration.ofMinutes(10));
        ValidToken scoped = tokens.issue(token(unscoped.id(), project("alpha")));
        assertThat(scoped.project()).map(Project::name).contains("alpha");
        assertThat(scoped.token().expiresAt()).isEqualTo(unscoped.token().expiresAt());
        assertThat(scoped.token().issuedAt()).isAfter(unscoped.token().issuedAt());
        assertThat(scoped.token().methods()).containsExactly("token", "password");
        assertThat(scoped.token().auditIds()).hasSize(2).endsWith(unscoped.token().auditIds().get(0));
        ValidToken again = tokens.issue(token(scoped.id(), project("alpha")));
        assertThat(again.token().auditIds()).hasSize(2).endsWith(unscoped.token().auditIds().get(0));
        // Keystone revokes by the token's own audit id: tokens made from it stay valid
        tokens.revoke(unscoped);
        assertThat(tokens.validate(scoped.id())).isPresent();
    }

    @Test
    void defaultProjectScopesUnlessExplicitlyUnscoped() {
        User bob = identity.ensureUser("bob", "bob-pw", Optional.of(alpha.id()));
        identity.assignProjectRole(bob.id(), alpha.id(), "reader");
        assertThat(tokens.issue(password("bob", "bob-pw", new Unscoped(false))).project()).map(Project::id).contains(alpha.id());
        assertThat(tokens.issue(password("bob", "bob-pw", new Unscoped(true))).project()).isEmpty();
        identity.unassignProjectRole(bob.id(), alpha.id(), "reader");
        assertThat(tokens.issue(password("bob", "bob-pw", new Unscoped(false))).project()).isEmpty();
    }

    @Test
    void systemScopeNeedsASystemAssignmentAndCannotBeRescopedToAProject() {
        ValidToken system = tokens.issue(password("admin", "admin-pw", new SystemScope()));
        assertThat(system.token().system()).isTrue();
        assertThat(system.project()).isEmpty();
        assertThat(roleNames(system)).containsExactlyInAnyOrder("admin", "member", "reader");
        assertThatThrownBy(() -> tokens.issue(token(system.id(), project("admin")))).isInstanceOfSatisfying(GlintException.class,
                e -> assertThat(e.kind()).isEqualTo(ErrorKind.FORBIDDEN));
    }

    @Test
    void passwordAndTokenTogetherMustBeTheSameUser() {
        ValidToken admin = tokens.issue(password("admin", "admin-pw", project("admin")));
        AuthRequest mixed = new AuthRequest(List.of("password", "token"), password("alice", "alice-pw", project("alpha")).password(),
                Optional.of(admin.id()), project("alpha"));
        assertThatThrownBy(() -> tokens.issue(mixed)).isInstanceOf(GlintException.class);
    }

    @Test
    void everyNodeOfTheDeploymentValidatesAndSeesRevocations() {
        IdentityFixture.Node other = fixture.node();
        ValidToken here = tokens.issue(password("alice", "alice-pw", project("alpha")));
        ValidToken there = other.tokens().issue(password("alice", "alice-pw", project("alpha")));
        assertThat(other.tokens().validate(here.id())).isPresent();
        assertThat(tokens.validate(there.id())).isPresent();
        other.tokens().revoke(other.tokens().validate(here.id()).orElseThrow());
        assertThat(tokens.validate(here.id())).isEmpty();
        tokens.revoke(there);
        assertThat(other.tokens().validate(there.id())).isEmpty();
    }

    @Test
    void authenticatorCachesUntilItsTtlAndDropsEverythingWhenTheIdentityChanges() {
        BuiltinAuthenticator auth = new BuiltinAuthenticator(tokens, node.store(), fixture.clock, Duration.ofSeconds(10),
                () -> "http://x/identity");
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        var context = auth.authenticate(t.id()).orElseThrow();
        assertThat(context.userName()).isEqualTo("alice");
        assertThat(context.projectName()).isEqualTo("alpha");
        assertThat(context.roles()).containsExactlyInAnyOrder("member", "reader");
        assertThat(context.systemScope()).isFalse();
        // revoked through another node (its own TokenService on the same database): not one request more here
        IdentityFixture.Node other = fixture.node();
        other.tokens().revoke(other.tokens().validate(t.id()).orElseThrow());
        assertThat(auth.authenticate(t.id())).isEmpty();

        ValidToken u = tokens.issue(password("alice", "alice-pw", project("alpha")));
        assertThat(auth.authenticate(u.id())).isPresent();
        fixture.clock.advance(Duration.ofSeconds(10));
        assertThat(auth.authenticate(u.id())).as("validated again after the TTL").isPresent();
        String alice = node.identity().userByName("default", "alice").orElseThrow().id();
        other.identity().setUserEnabled(alice, false);
        assertThat(auth.authenticate(u.id())).isEmpty();
        assertThat(auth.authenticate("garbage")).isEmpty();
    }

    @Test
    void authenticatorNeverServesATokenPastItsExpiry() {
        BuiltinAuthenticator auth = new BuiltinAuthenticator(tokens, node.store(), fixture.clock, Duration.ofHours(5),
                () -> "http://x/identity");
        ValidToken t = tokens.issue(password("alice", "alice-pw", project("alpha")));
        assertThat(auth.authenticate(t.id())).isPresent();
        fixture.clock.advance(IdentityFixture.TTL);
        assertThat(auth.authenticate(t.id())).isEmpty();
    }
}
