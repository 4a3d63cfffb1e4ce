package glint.identity;

import static org.assertj.core.api.Assertions.assertThat;

import glint.identity.AuthRequest.PasswordCredentials;
import glint.identity.AuthRequest.ProjectScope;
import glint.identity.AuthRequest.SystemScope;
import glint.identity.IdentityRecords.Role;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IdentityBootstrapTest {
    private IdentityFixture fixture;

    @BeforeEach
    void setUp() {
        fixture = new IdentityFixture();
    }

    @AfterEach
    void tearDown() {
        fixture.close();
    }

    private static boolean canLogIn(IdentityFixture.Node node, String password) {
        return node.identity().checkPassword(new PasswordCredentials(Optional.empty(), Optional.of("admin"), Optional.empty(),
                Optional.of("Default"), password)).isPresent();
    }

    @Test
    void firstStartMakesARandomPasswordLaterStartsKeepIt() {
        IdentityFixture.Node node = fixture.node();
        Optional<String> first = new IdentityBootstrap(node.identity()).run(Optional.empty());
        assertThat(first).isPresent();
        assertThat(first.get()).hasSizeGreaterThanOrEqualTo(20);
        assertThat(canLogIn(node, first.get())).isTrue();
        assertThat(new IdentityBootstrap(node.identity()).run(Optional.empty())).isEmpty();
        assertThat(canLogIn(node, first.get())).isTrue();
    }

    @Test
    void aGivenPasswordIsSetOnEveryStart() {
        IdentityFixture.Node node = fixture.node();
        assertThat(new IdentityBootstrap(node.identity()).run(Optional.of("one"))).contains("one");
        assertThat(new IdentityBootstrap(node.identity()).run(Optional.of("two"))).contains("two");
        assertThat(canLogIn(node, "one")).isFalse();
        assertThat(canLogIn(node, "two")).isTrue();
    }

    @Test
    void createsKeystonesDefaults() {
        IdentityFixture.Node node = fixture.node();
        new IdentityBootstrap(node.identity()).run(Optional.of("pw"));
        IdentityService identity = node.identity();
        assertThat(identity.domain("default")).map(d -> d.name()).contains("Default");
        var admin = identity.userByName("default", "admin").orElseThrow();
        assertThat(admin.defaultProjectId()).isEmpty();
        var project = identity.projectByName("default", "admin").orElseThrow();
        assertThat(identity.projectRoles(admin.id(), project.id()).stream().map(Role::name))
                .containsExactlyInAnyOrder("admin", "member", "reader");
        assertThat(identity.systemRoles(admin.id()).stream().map(Role::name)).containsExactlyInAnyOrder("admin", "member", "reader");
        var reader = identity.ensureUser("r", "r", Optional.empty());
        identity.assignProjectRole(reader.id(), project.id(), "reader");
        assertThat(identity.projectRoles(reader.id(), project.id()).stream().map(Role::name)).containsExactly("reader");
        var tokens = node.tokens();
        assertThat(tokens.issue(new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.empty(),
                Optional.of("admin"), Optional.of("default"), Optional.empty(), "pw")), Optional.empty(), new SystemScope()))
                .token().system()).isTrue();
        assertThat(tokens.issue(new AuthRequest(List.of("password"), Optional.of(new PasswordCredentials(Optional.empty(),
                Optional.of("admin"), Optional.of("default"), Optional.empty(), "pw")), Optional.empty(),
                new ProjectScope(Optional.empty(), Optional.of("admin"), Optional.of("default"), Optional.empty())))
                .project()).isPresent();
    }

    @Test
    void nodesStartingTogetherBootstrapOnceAndOnlyTheCreatorKnowsTheRandomPassword() throws Exception {
        int n = 4;
        List<IdentityFixture.Node> nodes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            nodes.add(fixture.node());
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Optional<String>>> results = new ArrayList<>();
            for (IdentityFixture.Node node : nodes) {
                Callable<Optional<String>> run = () -> {
                    start.await();
                    return new IdentityBootstrap(node.identity()).run(Optional.empty());
                };
                results.add(pool.submit(run));
            }
            start.countDown();
            List<String> known = new ArrayList<>();
            for (Future<Optional<String>> f : results) {
                f.get().ifPresent(known::add);
            }
            assertThat(known).hasSize(1);
            for (IdentityFixture.Node node : nodes) {
                assertThat(canLogIn(node, known.get(0))).isTrue();
            }
            IdentityService identity = nodes.get(0).identity();
            var admin = identity.userByName("default", "admin").orElseThrow();
            var project = identity.projectByName("default", "admin").orElseThrow();
            assertThat(identity.projectRoles(admin.id(), project.id())).hasSize(3);
        } finally {
            pool.shutdownNow();
        }
    }
}
