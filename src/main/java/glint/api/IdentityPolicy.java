package glint.api;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.identity.TokenService;
import glint.identity.ValidToken;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Keystone's default policies for the built-in identity's admin APIs (keystone/common/policies): the caller's token
 * checked (401 as Keystone when missing or invalid), then the rule (403 as Keystone when it says no).
 */
final class IdentityPolicy {
    /** Who calls, and Keystone's default rules over the caller's token. */
    record Caller(ValidToken token) {
        boolean has(String role) {
            return token.roles().stream().anyMatch(r -> r.name().equals(role));
        }

        /** {@code rule:admin_required}. */
        boolean admin() {
            return has("admin");
        }

        /** {@code rule:admin_required or (role:reader and system_scope:all)}. */
        boolean reader() {
            return admin() || (token.token().system() && has("reader"));
        }

        /** {@code ""}: any valid token. */
        boolean anyone() {
            return true;
        }

        boolean inProject(String projectId) {
            return token.project().map(p -> p.id().equals(projectId)).orElse(false);
        }

        boolean isUser(String userId) {
            return token.user().id().equals(userId);
        }
    }

    private final TokenService tokens;
    private final IdentityViews views;

    IdentityPolicy(TokenService tokens, IdentityViews views) {
        this.tokens = tokens;
        this.views = views;
    }

    /** The caller, when its token is valid and {@code allowed} says yes to {@code identity:<rule>}. */
    Caller authorize(Exchange ex, String rule, Predicate<Caller> allowed) {
        ValidToken token = ex.header("X-Auth-Token").map(String::strip).flatMap(tokens::validate)
                .orElseThrow(() -> new GlintException(ErrorKind.UNAUTHORIZED, "The request you have made requires authentication.",
                        Map.of("WWW-Authenticate", "Keystone uri=\"" + views.v3Url(ex) + "\""), null));
        Caller caller = new Caller(token);
        if (!allowed.test(caller)) {
            throw GlintException.forbidden("You are not authorized to perform the requested action: identity:" + rule + ".");
        }
        return caller;
    }
}
