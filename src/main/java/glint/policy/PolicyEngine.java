package glint.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import glint.auth.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Glance's policy enforcement: rules by name in oslo.policy's language, Glance's secure-RBAC defaults
 * ({@link GlanceDefaults}) overridden by an operator's policy file (YAML or JSON). Every rule is project-scoped, as
 * in Glance with scope enforcement on: a system-scoped token is refused.
 */
public final class PolicyEngine implements Policy {
    private final Map<String, PolicyCheck> rules;

    private PolicyEngine(Map<String, PolicyCheck> rules) {
        this.rules = Map.copyOf(rules);
    }

    public static PolicyEngine defaults() {
        return withOverrides(Map.of());
    }

    /** Defaults plus overrides; an override of a rule Glance does not have, or a syntax error, refuses to start. */
    public static PolicyEngine withOverrides(Map<String, String> overrides) {
        return withOverrides(overrides, java.util.Set.of());
    }

    /**
     * As {@link #withOverrides(Map)}, also accepting the rules named in {@code customRules} (those a property
     * protection file in the {@code policies} format refers to, which Glance looks up in the policy file).
     */
    public static PolicyEngine withOverrides(Map<String, String> overrides, java.util.Set<String> customRules) {
        Map<String, PolicyCheck> rules = new LinkedHashMap<>();
        GlanceDefaults.RULES.forEach((name, rule) -> rules.put(name, PolicyParser.parse(rule)));
        List<String> unknown = new ArrayList<>();
        overrides.forEach((name, rule) -> {
            if (!GlanceDefaults.RULES.containsKey(name) && !customRules.contains(name)) {
                unknown.add(name);
            }
            rules.put(name, PolicyParser.parse(rule));
        });
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("policy file: unknown rule(s) " + unknown + "; known rules are "
                    + GlanceDefaults.RULES.keySet());
        }
        return new PolicyEngine(rules);
    }

    /** Reads an oslo.policy file: a mapping of rule name to rule string, in YAML or JSON. */
    public static PolicyEngine fromFile(Path file) throws IOException {
        return fromFile(file, java.util.Set.of());
    }

    /** Reads a policy file that may also define {@code customRules} (see {@link #withOverrides(Map, java.util.Set)}). */
    public static PolicyEngine fromFile(Path file, java.util.Set<String> customRules) throws IOException {
        ObjectMapper mapper = file.toString().endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
        JsonNode root = mapper.readTree(Files.readAllBytes(file));
        Map<String, String> overrides = new LinkedHashMap<>();
        if (root != null && !root.isNull() && !root.isMissingNode()) {
            if (!root.isObject()) {
                throw new IllegalArgumentException("policy file " + file + ": expected a mapping of rule names to rules");
            }
            Iterator<Map.Entry<String, JsonNode>> fields = root.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!f.getValue().isTextual()) {
                    throw new IllegalArgumentException("policy file " + file + ": rule '" + f.getKey() + "' must be a string");
                }
                overrides.put(f.getKey(), f.getValue().textValue());
            }
        }
        try {
            return withOverrides(overrides, customRules);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("policy file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Whether a rule of this name exists (a default or one from the policy file). */
    public boolean defines(String rule) {
        return rules.containsKey(rule);
    }

    @Override
    public boolean allows(String rule, RequestContext context, PolicyTarget target) {
        PolicyCheck check = rules.get(rule);
        if (check == null || (context.systemScope() && GlanceDefaults.PROJECT_SCOPED.contains(rule))) {
            return false;
        }
        return check.test(credentials(context), target, name -> Optional.ofNullable(rules.get(name)));
    }

    /** oslo.context's {@code to_policy_values()}. */
    static Map<String, Object> credentials(RequestContext c) {
        Map<String, Object> m = new HashMap<>();
        m.put("user_id", c.userId());
        m.put("user_domain_id", c.userDomainId());
        m.put("project_id", c.projectId());
        m.put("project_domain_id", c.projectDomainId());
        m.put("roles", List.copyOf(c.roles()));
        m.put("system_scope", c.systemScope() ? "all" : null);
        m.put("is_admin", c.isAdmin());
        return m;
    }
}
