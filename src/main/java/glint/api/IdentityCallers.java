package glint.api;

import glint.error.ErrorKind;
import glint.error.GlintException;
import glint.http.Exchange;
import glint.identity.Caller;
import glint.identity.IdentityRules;
import glint.identity.IdentityRules.Target;
import glint.identity.ValidToken;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The identity APIs' side of {@link IdentityRules}: the caller's {@code X-Auth-Token} (and the token API's
 * {@code X-Subject-Token}) handed to the rules, and their 401 answered as Keystone does, with
 * {@code WWW-Authenticate: Keystone uri="…/v3"} (keystone/server/flask/application.py); a 403 passes unchanged.
 */
final class IdentityCallers {
    private final IdentityRules rules;
    private final IdentityViews views;

    IdentityCallers(IdentityRules rules, IdentityViews views) {
        this.rules = rules;
        this.views = views;
    }

    /** The caller, when its token is valid and {@code identity:<rule>} allows it on the target. */
    Caller authorize(Exchange ex, String rule, Target target) {
        return challenging(ex, () -> rules.authorize(ex.header("X-Auth-Token"), rule, target));
    }

    Caller authorize(Exchange ex, String rule) {
        return authorize(ex, rule, Target.NONE);
    }

    /** The caller, when its token is valid. */
    Caller caller(Exchange ex) {
        return challenging(ex, () -> rules.caller(ex.header("X-Auth-Token")));
    }

    /** Keystone's 403 unless {@code identity:<rule>} allows the caller on the target. */
    void check(Caller caller, String rule, Target target) {
        rules.check(caller, rule, target);
    }

    /** The token in {@code X-Subject-Token}, when the caller's may see it under {@code identity:<rule>}. */
    ValidToken subject(Exchange ex, String rule) {
        Caller caller = caller(ex);
        return rules.subject(caller, rule, ex.header("X-Subject-Token").map(String::strip).orElse(""));
    }

    /** A domain's 401 as Keystone's: its message, and the {@code WWW-Authenticate} challenge. */
    <T> T challenging(Exchange ex, Supplier<T> call) {
        try {
            return call.get();
        } catch (GlintException e) {
            if (e.kind() != ErrorKind.UNAUTHORIZED) {
                throw e;
            }
            throw new GlintException(ErrorKind.UNAUTHORIZED, e.getMessage(),
                    Map.of("WWW-Authenticate", "Keystone uri=\"" + views.v3Url(ex) + "\""), null);
        }
    }
}
