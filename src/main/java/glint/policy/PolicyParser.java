package glint.policy;

import java.util.ArrayList;
import java.util.List;

/**
 * oslo.policy's rule language: checks ({@code rule:x}, {@code role:x}, {@code field:%(key)s}, {@code 'literal':%(key)s},
 * {@code @}, {@code !}) joined by {@code and}, {@code or}, {@code not} and parentheses; {@code and} binds tighter than
 * {@code or}; the empty rule always passes. Syntax errors are {@link IllegalArgumentException}s naming the rule.
 */
public final class PolicyParser {
    private final List<String> tokens;
    private final String source;
    private int position;

    private PolicyParser(String source) {
        this.source = source;
        this.tokens = tokenize(source);
    }

    public static PolicyCheck parse(String rule) {
        if (rule == null || rule.isBlank()) {
            return PolicyCheck.ALWAYS;
        }
        PolicyParser p = new PolicyParser(rule);
        PolicyCheck check = p.or();
        if (p.position != p.tokens.size()) {
            throw p.error("unexpected '" + p.tokens.get(p.position) + "'");
        }
        return check;
    }

    private PolicyCheck or() {
        List<PolicyCheck> parts = new ArrayList<>();
        parts.add(and());
        while (accept("or")) {
            parts.add(and());
        }
        return parts.size() == 1 ? parts.get(0) : new PolicyCheck.Or(parts);
    }

    private PolicyCheck and() {
        List<PolicyCheck> parts = new ArrayList<>();
        parts.add(not());
        while (accept("and")) {
            parts.add(not());
        }
        return parts.size() == 1 ? parts.get(0) : new PolicyCheck.And(parts);
    }

    private PolicyCheck not() {
        if (accept("not")) {
            return new PolicyCheck.Not(not());
        }
        return atom();
    }

    private PolicyCheck atom() {
        if (position >= tokens.size()) {
            throw error("unexpected end of rule");
        }
        String token = tokens.get(position++);
        if (token.equals("(")) {
            PolicyCheck inner = or();
            if (!accept(")")) {
                throw error("missing ')'");
            }
            return inner;
        }
        if (token.equals(")") || token.equalsIgnoreCase("and") || token.equalsIgnoreCase("or")) {
            throw error("unexpected '" + token + "'");
        }
        return check(token);
    }

    private PolicyCheck check(String token) {
        if (token.equals("@")) {
            return PolicyCheck.ALWAYS;
        }
        if (token.equals("!")) {
            return PolicyCheck.NEVER;
        }
        int colon = token.indexOf(':');
        if (colon <= 0 || colon == token.length() - 1) {
            throw error("'" + token + "' is not a check (kind:match)");
        }
        String kind = token.substring(0, colon);
        String match = token.substring(colon + 1);
        return switch (kind) {
            case "rule" -> new PolicyCheck.RuleRef(match);
            case "role" -> new PolicyCheck.Role(match);
            default -> new PolicyCheck.Generic(kind, match);
        };
    }

    private boolean accept(String word) {
        if (position < tokens.size() && tokens.get(position).equalsIgnoreCase(word)) {
            position++;
            return true;
        }
        return false;
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException("bad policy rule \"" + source + "\": " + what);
    }

    private static List<String> tokenize(String rule) {
        List<String> tokens = new ArrayList<>();
        for (String raw : rule.strip().split("\\s+")) {
            String t = raw;
            while (t.startsWith("(")) {
                tokens.add("(");
                t = t.substring(1);
            }
            int closing = 0;
            while (t.endsWith(")") && !t.isEmpty()) {
                closing++;
                t = t.substring(0, t.length() - 1);
            }
            if (!t.isEmpty()) {
                tokens.add(t);
            }
            for (int i = 0; i < closing; i++) {
                tokens.add(")");
            }
        }
        return tokens;
    }
}
