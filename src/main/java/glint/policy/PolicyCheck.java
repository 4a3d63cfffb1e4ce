package glint.policy;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/** A parsed policy rule, evaluated against the caller's credentials and the target. */
public sealed interface PolicyCheck {
    PolicyCheck ALWAYS = new Constant(true);
    PolicyCheck NEVER = new Constant(false);

    /**
     * @param credentials oslo.context's policy values ({@code project_id}, {@code user_id}, {@code roles}, …)
     * @param rules       how {@code rule:x} references are resolved
     */
    boolean test(Map<String, Object> credentials, PolicyTarget target, Function<String, Optional<PolicyCheck>> rules);

    record Constant(boolean value) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            return value;
        }
    }

    record And(List<PolicyCheck> parts) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            return parts.stream().allMatch(p -> p.test(c, t, rules));
        }
    }

    record Or(List<PolicyCheck> parts) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            return parts.stream().anyMatch(p -> p.test(c, t, rules));
        }
    }

    record Not(PolicyCheck inner) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            return !inner.test(c, t, rules);
        }
    }

    /** {@code rule:name}: another rule; an unknown one fails (oslo.policy's RuleCheck). */
    record RuleRef(String name) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            return rules.apply(name).map(r -> r.test(c, t, rules)).orElse(false);
        }
    }

    /** {@code role:name}, case-insensitive; {@code %(key)s} in the name is taken from the target. */
    record Role(String match) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            Optional<String> role = Generic.substitute(match, t);
            Object roles = c.get("roles");
            return role.isPresent() && roles instanceof List<?> list
                    && list.stream().anyMatch(r -> r.toString().toLowerCase(Locale.ROOT).equals(role.get().toLowerCase(Locale.ROOT)));
        }
    }

    /**
     * {@code key:match}: the credential {@code key} equals {@code match} after {@code %(name)s} substitution from the
     * target; a quoted key ({@code 'public':%(visibility)s}) is a literal. A missing target key fails the check.
     */
    record Generic(String key, String match) implements PolicyCheck {
        @Override
        public boolean test(Map<String, Object> c, PolicyTarget t, Function<String, Optional<PolicyCheck>> rules) {
            Optional<String> right = substitute(match, t);
            if (right.isEmpty()) {
                return false;
            }
            if (key.length() >= 2 && (key.startsWith("'") && key.endsWith("'") || key.startsWith("\"") && key.endsWith("\""))) {
                return key.substring(1, key.length() - 1).equals(right.get());
            }
            Object value = c.get(key);
            if (value == null) {
                return false;
            }
            if (value instanceof List<?> list) {
                return list.stream().anyMatch(v -> String.valueOf(v).equals(right.get()));
            }
            if (value instanceof Boolean b) {
                return right.get().equalsIgnoreCase(b.toString());
            }
            return String.valueOf(value).equals(right.get());
        }

        static Optional<String> substitute(String match, PolicyTarget target) {
            if (!match.contains("%(")) {
                return Optional.of(match);
            }
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < match.length()) {
                int start = match.indexOf("%(", i);
                if (start < 0) {
                    out.append(match, i, match.length());
                    break;
                }
                int end = match.indexOf(")s", start);
                if (end < 0) {
                    return Optional.empty();
                }
                out.append(match, i, start);
                Optional<String> value = target.get(match.substring(start + 2, end));
                if (value.isEmpty()) {
                    return Optional.empty();
                }
                out.append(value.get());
                i = end + 2;
            }
            return Optional.of(out.toString());
        }
    }
}
