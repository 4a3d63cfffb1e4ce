package glint.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import glint.auth.RequestContext;
import glint.policy.PropertyProtections.Operation;
import glint.policy.PropertyProtections.RuleFormat;
import glint.testing.DatabaseNeutral;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The rule file and matcher of Glance's property_utils.PropertyRules. */
@DatabaseNeutral
class PropertyProtectionsTest {
    private static RequestContext as(String... roles) {
        return new RequestContext("u", "u", "default", "p", "p", "default", Set.of(roles), false, "req");
    }

    private static PropertyProtections roles(String... lines) {
        return PropertyProtections.parse(List.of(lines), "test.conf", RuleFormat.ROLES);
    }

    @Test
    void sectionsAreTriedInFileOrderAndTheFirstMatchAnywhereInTheNameDecides() {
        PropertyProtections p = roles(
                "# Glance's sample file",
                "[^x_owner_.*]", "create = admin,member", "read = @", "update = admin", "delete = !",
                "[_secret]", "create = admin", "read = admin", "update = admin", "delete = admin",
                "[.*]", "create = @", "read = @", "update = @", "delete = @");
        assertThat(p.allows("x_owner_foo", Operation.CREATE, as("member"))).isTrue();
        assertThat(p.allows("x_owner_foo", Operation.CREATE, as("reader"))).isFalse();
        assertThat(p.allows("x_owner_foo", Operation.READ, as("reader"))).as("@ is everyone").isTrue();
        assertThat(p.allows("x_owner_foo", Operation.DELETE, as("admin"))).as("! is nobody, not even admin").isFalse();
        assertThat(p.allows("my_secret_key", Operation.READ, as("member"))).as("re.search, not re.match").isFalse();
        assertThat(p.allows("my_secret_key", Operation.READ, as("admin"))).isTrue();
        assertThat(p.allows("x_owner_secret", Operation.READ, as("member"))).as("the first matching section wins").isTrue();
        assertThat(p.allows("anything", Operation.DELETE, as("reader"))).isTrue();
    }

    @Test
    void rolesCompareCaseInsensitivelyAsGlanceLowercasesBoth() {
        PropertyProtections p = roles("[.*]", "create = Creator", "read = @", "update = @", "delete = @");
        assertThat(p.allows("k", Operation.CREATE, as("CREATOR"))).isTrue();
        assertThat(p.allows("k", Operation.CREATE, as("member"))).isFalse();
    }

    @Test
    void aPropertyMatchingNoSectionIsRefusedOnceTheFileHasSections() {
        // glance/common/property_utils.py check_property_rules: "no matching rules" -> return False
        PropertyProtections p = roles("[^x_]", "create = @", "read = @", "update = @", "delete = @");
        assertThat(p.allows("x_a", Operation.CREATE, as("member"))).isTrue();
        assertThat(p.allows("other", Operation.READ, as("admin"))).isFalse();
        assertThat(roles("# nothing but comments").allows("other", Operation.READ, as("reader"))).isTrue();
        assertThat(PropertyProtections.none().allows("other", Operation.DELETE, as())).isTrue();
    }

    @Test
    void anEmptyValueAllowsNobody() {
        PropertyProtections p = roles("[.*]", "create =", "read = @", "update = @", "delete = @");
        assertThat(p.allows("k", Operation.CREATE, as("admin"))).isFalse();
    }

    @Test
    void invalidFilesRefuseToStart() {
        assertThatThrownBy(() -> roles("[(unclosed]", "create = @", "read = @", "update = @", "delete = @"))
                .isInstanceOf(PropertyProtections.InvalidConfiguration.class).hasMessageContaining("malformed property protection rule");
        assertThatThrownBy(() -> roles("[.*]", "create = @", "read = @", "update = @"))
                .isInstanceOf(PropertyProtections.InvalidConfiguration.class).hasMessageContaining("'delete'");
        assertThatThrownBy(() -> roles("[.*]", "craete = @", "read = @", "update = @", "delete = @"))
                .as("a misspelt operation leaves one missing").hasMessageContaining("'create'");
        assertThatThrownBy(() -> roles("[.*]", "create = @,!", "read = @", "update = @", "delete = @"))
                .hasMessageContaining("'@' and '!' are mutually exclusive");
        assertThatThrownBy(() -> roles("[a]", "create = @", "[a]", "create = @"))
                .hasMessageContaining("already exists");
        assertThatThrownBy(() -> roles("create = @")).hasMessageContaining("no section headers");
        assertThatThrownBy(() -> PropertyProtections.load(java.nio.file.Path.of("/nonexistent/protections.conf"), RuleFormat.ROLES))
                .isInstanceOf(PropertyProtections.InvalidConfiguration.class).hasMessageContaining("Couldn't find property protection file");
        assertThatThrownBy(() -> RuleFormat.parse("groups")).hasMessageContaining("'roles' and 'policies'");
    }

    @Test
    void policiesFormatChecksOneNamedRuleFromThePolicyFile() {
        PropertyProtections p = PropertyProtections.parse(List.of(
                "[^spl_]", "create = spl_creator", "read = @", "update = spl_creator", "delete = !",
                "[.*]", "create = context_is_admin", "read = context_is_admin", "update = context_is_admin", "delete = context_is_admin"),
                "test.conf", RuleFormat.POLICIES);
        assertThat(p.policyRuleNames()).containsExactlyInAnyOrder("spl_creator", "context_is_admin");
        assertThatThrownBy(() -> p.withPolicy(PolicyEngine.defaults())).hasMessageContaining("spl_creator");
        PropertyProtections bound = p.withPolicy(PolicyEngine.withOverrides(
                Map.of("spl_creator", "role:admin or role:spl_role"), Set.of("spl_creator")));
        assertThat(bound.allows("spl_x", Operation.CREATE, as("spl_role"))).isTrue();
        assertThat(bound.allows("spl_x", Operation.CREATE, as("member"))).isFalse();
        assertThat(bound.allows("spl_x", Operation.READ, as())).isTrue();
        assertThat(bound.allows("spl_x", Operation.DELETE, as("admin"))).isFalse();
        assertThat(bound.allows("other", Operation.READ, as("admin"))).isTrue();
        assertThat(bound.allows("other", Operation.READ, as("member"))).isFalse();
        assertThatThrownBy(() -> PropertyProtections.parse(List.of("[.*]", "create = a,b", "read = @", "update = @", "delete = @"),
                "test.conf", RuleFormat.POLICIES)).hasMessageContaining("Multiple policies");
    }
}
