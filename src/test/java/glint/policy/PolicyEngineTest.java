package glint.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.auth.RequestContext;
import glint.testing.DatabaseNeutral;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

@DatabaseNeutral
class PolicyEngineTest {
    private final PolicyEngine engine = PolicyEngine.defaults();

    private static RequestContext ctx(String project, String... roles) {
        return new RequestContext("u", "user", "default", project, "p", "default", Set.of(roles), false, null);
    }

    private static PolicyTarget image(String owner, String visibility, String memberId) {
        Map<String, String> t = new HashMap<>(Map.of("project_id", owner, "owner", owner, "visibility", visibility));
        if (memberId != null) {
            t.put("member_id", memberId);
        }
        return PolicyTarget.of(t);
    }

    @Test
    void glanceDefaultsDecideAsGlanceDoes() {
        RequestContext admin = ctx("other", "admin", "member", "reader");
        RequestContext ownerMember = ctx("p1", "member", "reader");
        RequestContext ownerReader = ctx("p1", "reader");
        RequestContext stranger = ctx("p2", "member", "reader");
        RequestContext sharedMember = ctx("p3", "member", "reader");
        PolicyTarget priv = image("p1", "private", null);
        PolicyTarget shared = image("p1", "shared", "p3");

        assertThat(engine.allows("get_image", ownerReader, priv)).isTrue();
        assertThat(engine.allows("get_image", stranger, priv)).isFalse();
        assertThat(engine.allows("get_image", admin, priv)).isTrue();
        assertThat(engine.allows("modify_image", ownerMember, priv)).isTrue();
        assertThat(engine.allows("modify_image", ownerReader, priv)).isFalse();
        assertThat(engine.allows("modify_image", stranger, priv)).isFalse();
        assertThat(engine.allows("publicize_image", ownerMember, priv)).isFalse();
        assertThat(engine.allows("publicize_image", admin, priv)).isTrue();
        assertThat(engine.allows("communitize_image", ownerMember, priv)).isTrue();
        assertThat(engine.allows("download_image", sharedMember, shared)).isTrue();
        assertThat(engine.allows("download_image", ownerReader, priv)).as("readers cannot download").isFalse();
        assertThat(engine.allows("modify_member", sharedMember, shared)).isTrue();
        assertThat(engine.allows("modify_member", ownerMember, shared)).isFalse();
        assertThat(engine.allows("get_members", sharedMember, shared)).isTrue();
        assertThat(engine.allows("add_image", ownerMember, PolicyTarget.of(Map.of("project_id", "p1", "owner", "p1")))).isTrue();
        assertThat(engine.allows("add_image", ownerMember, PolicyTarget.of(Map.of("project_id", "p9", "owner", "p9")))).isFalse();
        assertThat(engine.allows("no_such_rule", admin, priv)).isFalse();
        RequestContext system = new RequestContext("u", "admin", "default", null, null, null, Set.of("admin"), true, null);
        assertThat(engine.allows("get_image", system, priv)).as("image rules are project-scoped").isFalse();
    }

    @Test
    void languageFeatures() {
        PolicyEngine e = PolicyEngine.withOverrides(Map.of(
                "get_image", "not role:banned and (rule:context_is_admin or 'public':%(visibility)s)",
                "modify_image", "@",
                "delete_image", "!",
                "get_images", "user_id:%(user_id)s or project_id:p1"));
        assertThat(e.allows("get_image", ctx("x", "reader"), image("o", "public", null))).isTrue();
        assertThat(e.allows("get_image", ctx("x", "reader", "banned"), image("o", "public", null))).isFalse();
        assertThat(e.allows("get_image", ctx("x", "admin"), image("o", "private", null))).isTrue();
        assertThat(e.allows("modify_image", ctx("x"), image("o", "private", null))).isTrue();
        assertThat(e.allows("delete_image", ctx("x", "admin"), image("o", "private", null))).isFalse();
        assertThat(e.allows("get_images", ctx("p1"), PolicyTarget.of(Map.of()))).isTrue();
        assertThat(e.allows("get_images", ctx("p2"), PolicyTarget.of(Map.of("user_id", "u")))).isTrue();
        assertThat(e.allows("get_images", ctx("p2"), PolicyTarget.of(Map.of()))).as("missing target key fails").isFalse();
    }

    @Test
    void badPolicyFilesRefuseToStart() throws Exception {
        assertThatThrownBy(() -> PolicyEngine.withOverrides(Map.of("get_imagez", "role:admin")))
                .hasMessageContaining("unknown rule").hasMessageContaining("get_imagez");
        for (String bad : List.of("role:admin and", "(role:admin", "role:admin)", "admin", "role:admin or or role:x")) {
            assertThatThrownBy(() -> PolicyEngine.withOverrides(Map.of("get_image", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class);
        }
        Path yaml = Files.createTempFile("policy", ".yaml");
        Files.writeString(yaml, "\"publicize_image\": \"role:admin or role:member\"\n");
        assertThat(PolicyEngine.fromFile(yaml).allows("publicize_image", ctx("p", "member"), image("p", "private", null))).isTrue();
        Path json = Files.createTempFile("policy", ".json");
        Files.writeString(json, "{\"publicize_image\": 42}");
        assertThatThrownBy(() -> PolicyEngine.fromFile(json)).hasMessageContaining("must be a string");
        Files.delete(yaml);
        Files.delete(json);
    }
}
