package glint.policy;

import glint.auth.RequestContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Glance's property protections ({@code property_protection_file}, glance/common/property_utils.py
 * {@code PropertyRules}): which callers may create, read, update and delete which extra properties.
 *
 * <p>The file is an INI file whose section names are regular expressions over property names, tried in file order
 * with {@code re.search} semantics (a match anywhere); the first match decides. Each section must name all four
 * operations. In the {@code roles} format a value is a comma-separated list of roles, {@code @} (everyone) or
 * {@code !} (nobody); in the {@code policies} format it is one policy rule name, checked with an empty target.
 * An empty value allows nobody. When the file has sections, a property that matches none is refused, exactly as
 * Glance's {@code check_property_rules} does (its sample files end with a {@code [.*]} catch-all).
 */
public final class PropertyProtections {
    public enum Operation {
        CREATE, READ, UPDATE, DELETE;

        String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Glance's {@code property_protection_rule_format}. */
    public enum RuleFormat {
        ROLES, POLICIES;

        public static RuleFormat parse(String value) {
            return switch (value.strip().toLowerCase(Locale.ROOT)) {
                case "roles" -> ROLES;
                case "policies" -> POLICIES;
                default -> throw new InvalidConfiguration("Invalid value '" + value
                        + "' for 'property_protection_rule_format'. The permitted values are 'roles' and 'policies'");
            };
        }
    }

    /** Glance's InvalidPropertyProtectionConfiguration: the server refuses to start. */
    public static final class InvalidConfiguration extends IllegalArgumentException {
        public InvalidConfiguration(String message) {
            super("Invalid configuration in property protection file: " + message);
        }
    }

    /** One section: the expression and, per operation, the roles (lower case, or @ / !) or the one policy rule name. */
    record Rule(String expression, Pattern pattern, Map<Operation, List<String>> permissions) {}

    private static final PropertyProtections NONE = new PropertyProtections(List.of(), RuleFormat.ROLES, null);

    private final List<Rule> rules;
    private final RuleFormat format;
    private final Policy policy;

    private PropertyProtections(List<Rule> rules, RuleFormat format, Policy policy) {
        this.rules = List.copyOf(rules);
        this.format = format;
        this.policy = policy;
    }

    /** No protection file: every property operation is allowed (the policy rules still apply). */
    public static PropertyProtections none() {
        return NONE;
    }

    public static PropertyProtections load(Path file, RuleFormat format) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException | RuntimeException e) {
            throw new InvalidConfiguration("Couldn't find property protection file " + file + ": " + e);
        }
        return parse(lines, file.toString(), format);
    }

    public static PropertyProtections parse(List<String> lines, String origin, RuleFormat format) {
        Map<String, Map<String, String>> sections = sections(lines, origin);
        Map<String, String> defaults = sections.getOrDefault("DEFAULT", Map.of());
        List<Rule> rules = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> section : sections.entrySet()) {
            String expression = section.getKey();
            if (expression.equals("DEFAULT")) {
                continue;
            }
            Pattern pattern;
            try {
                pattern = Pattern.compile(expression);
            } catch (PatternSyntaxException e) {
                throw new InvalidConfiguration(origin + ": Encountered a malformed property protection rule "
                        + expression + ": " + e.getDescription() + ".");
            }
            Map<Operation, List<String>> permissions = new EnumMap<>(Operation.class);
            for (Operation op : Operation.values()) {
                String value = section.getValue().getOrDefault(op.key(), defaults.get(op.key()));
                if (value == null) {
                    throw new InvalidConfiguration(origin + ": section [" + expression + "] has no '" + op.key()
                            + "' (each section must name create, read, update and delete)");
                }
                permissions.put(op, permissions(origin, expression, op, value, format));
            }
            rules.add(new Rule(expression, pattern, permissions));
        }
        return new PropertyProtections(rules, format, null);
    }

    private static List<String> permissions(String origin, String expression, Operation op, String value, RuleFormat format) {
        if (value.isEmpty()) {
            return List.of(); // Glance warns "No role will be allowed to perform this operation."
        }
        if (format == RuleFormat.POLICIES) {
            if (value.contains(",")) {
                throw new InvalidConfiguration(origin + ": [" + expression + "] " + op.key() + ": Multiple policies '"
                        + value + "' not allowed for a given operation. Policies can be combined in the policy file");
            }
            return List.of(value);
        }
        List<String> roles = new ArrayList<>();
        for (String role : value.split(",", -1)) {
            roles.add(role.strip().toLowerCase(Locale.ROOT));
        }
        if (roles.contains("@") && roles.contains("!")) {
            throw new InvalidConfiguration(origin + ": Malformed property protection rule in [" + expression + "] "
                    + op.key() + "=" + value + ": '@' and '!' are mutually exclusive");
        }
        return List.copyOf(roles);
    }

    /**
     * Python's configparser as Glance uses it: sections in file order, {@code key = value} or {@code key: value},
     * keys lower-cased, full-line {@code #}/{@code ;} comments, indented continuation lines, and a duplicate section
     * or key is an error. Section names are kept verbatim (they are regular expressions).
     */
    private static Map<String, Map<String, String>> sections(List<String> lines, String origin) {
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        String lastKey = null;
        int number = 0;
        for (String raw : lines) {
            number++;
            String stripped = raw.strip();
            if (stripped.isEmpty() || stripped.startsWith("#") || stripped.startsWith(";")) {
                continue;
            }
            boolean indented = Character.isWhitespace(raw.charAt(0));
            if (indented && current != null && lastKey != null) {
                String previous = current.get(lastKey);
                current.put(lastKey, previous.isEmpty() ? stripped : previous + "\n" + stripped);
                continue;
            }
            if (stripped.startsWith("[") && stripped.endsWith("]") && stripped.length() > 2) {
                String name = stripped.substring(1, stripped.length() - 1);
                if (sections.containsKey(name)) {
                    throw new InvalidConfiguration(origin + ":" + number + ": section '" + name + "' already exists");
                }
                current = new LinkedHashMap<>();
                sections.put(name, current);
                lastKey = null;
                continue;
            }
            if (current == null) {
                throw new InvalidConfiguration(origin + ":" + number + ": File contains no section headers: " + raw);
            }
            int eq = indexOfDelimiter(stripped);
            if (eq <= 0) {
                throw new InvalidConfiguration(origin + ":" + number + ": expected 'operation = value': " + raw);
            }
            String key = stripped.substring(0, eq).strip().toLowerCase(Locale.ROOT);
            if (current.containsKey(key)) {
                throw new InvalidConfiguration(origin + ":" + number + ": option '" + key + "' already exists");
            }
            current.put(key, stripped.substring(eq + 1).strip());
            lastKey = key;
        }
        return sections;
    }

    private static int indexOfDelimiter(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    /** Policy rule names the file refers to ({@code policies} format); they must exist in the policy. */
    public Set<String> policyRuleNames() {
        Set<String> names = new LinkedHashSet<>();
        if (format == RuleFormat.POLICIES) {
            rules.forEach(r -> r.permissions().values().forEach(p -> p.stream()
                    .filter(n -> !n.equals("@") && !n.equals("!")).forEach(names::add)));
        }
        return names;
    }

    /**
     * The same rules, checking policy rule names against {@code policy} (needed by the {@code policies} format).
     * A rule name the policy does not define refuses to start (Glance would refuse the property at every request).
     */
    public PropertyProtections withPolicy(PolicyEngine policy) {
        List<String> undefined = policyRuleNames().stream().filter(n -> !policy.defines(n)).toList();
        if (!undefined.isEmpty()) {
            throw new InvalidConfiguration("policy rule(s) " + undefined + " named in the property protection file "
                    + "are not defined in the policy file ([oslo_policy] policy_file)");
        }
        return new PropertyProtections(rules, format, policy);
    }

    public boolean enabled() {
        return !rules.isEmpty();
    }

    /** Glance's {@code check_property_rules(property, operation, context)}. */
    public boolean allows(String property, Operation op, RequestContext ctx) {
        if (rules.isEmpty()) {
            return true;
        }
        Optional<Rule> rule = rules.stream().filter(r -> r.pattern().matcher(property).find()).findFirst();
        if (rule.isEmpty()) {
            return false;
        }
        List<String> allowed = rule.get().permissions().get(op);
        if (allowed.isEmpty() || allowed.contains("!")) {
            return false;
        }
        if (allowed.contains("@")) {
            return true;
        }
        if (format == RuleFormat.POLICIES) {
            if (policy == null) {
                throw new IllegalStateException("property protections in the policies format need a policy");
            }
            return policy.allows(allowed.get(0), ctx, PolicyTarget.of(Map.of()));
        }
        return ctx.roles().stream().map(r -> r.toLowerCase(Locale.ROOT)).anyMatch(allowed::contains);
    }
}
