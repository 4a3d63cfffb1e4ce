package glint.config;

import glint.config.GlintConfig.IdentityConfig;
import glint.config.GlintConfig.KeystoneAuthtoken;
import glint.config.GlintConfig.QuotaConfig;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Glance's quota options ({@code [DEFAULT] use_keystone_limits}, {@code user_storage_quota}) and oslo.limit's
 * {@code [oslo_limit]} section (oslo_limit/opts.py, with keystoneauth's password options for keystone mode).
 */
final class QuotaOptions {
    private static final Pattern STORAGE = Pattern.compile("^(\\d+)((K|M|G|T)?B)?$");
    private static final List<String> INTERFACES = List.of("public", "internal", "admin");

    private QuotaOptions() {}

    static QuotaConfig read(IniFile ini, IdentityConfig identity) {
        String s = "oslo_limit";
        String iface = ini.get(s, "endpoint_interface").orElse("public").strip();
        // oslo.limit accepts the deprecated publicURL forms and drops the suffix
        if (iface.endsWith("URL")) {
            iface = iface.substring(0, iface.length() - 3);
        }
        if (!INTERFACES.contains(iface)) {
            throw new IllegalArgumentException("[oslo_limit] endpoint_interface: one of public, internal, admin, not '" + iface + "'");
        }
        return new QuotaConfig(
                ConfigLoader.bool("use_keystone_limits", ini.get("DEFAULT", "use_keystone_limits").orElse("false")),
                storageQuota(ini.get("DEFAULT", "user_storage_quota").orElse("0")),
                nonBlank(ini, s, "endpoint_id"),
                nonBlank(ini, s, "endpoint_service_type"),
                nonBlank(ini, s, "endpoint_service_name"),
                nonBlank(ini, s, "endpoint_region_name"),
                iface,
                identity.keystone().map(k -> credentials(ini, k)),
                systemScope(ini));
    }

    /** keystoneauth's {@code system_scope}: {@code all}, the only system there is, or none. */
    private static boolean systemScope(IniFile ini) {
        Optional<String> scope = nonBlank(ini, "oslo_limit", "system_scope");
        if (scope.isPresent() && !scope.get().equals("all")) {
            throw new IllegalArgumentException("[oslo_limit] system_scope: only 'all', got '" + scope.get() + "'");
        }
        return scope.isPresent();
    }

    /**
     * Glance's {@code user_storage_quota}: a non-negative integer with an optional unit, B, KB, MB, GB or TB (powers
     * of 1024, no space), as glance/api/common.py {@code get_remaining_quota} reads it; anything else refuses to start.
     */
    static long storageQuota(String value) {
        Matcher m = STORAGE.matcher(value.strip());
        if (!m.matches()) {
            throw new IllegalArgumentException("user_storage_quota: expected a number of bytes with an optional unit "
                    + "B, KB, MB, GB or TB (no space), got '" + value + "'");
        }
        int shift = switch (m.group(3) == null ? "" : m.group(3)) {
            case "K" -> 10;
            case "M" -> 20;
            case "G" -> 30;
            case "T" -> 40;
            default -> 0;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("user_storage_quota: too large: '" + value + "'");
        }
    }

    /**
     * keystoneauth's password options in {@code [oslo_limit]}, each defaulting to the {@code [keystone_authtoken]}
     * one: the user that reads limits and endpoints from Keystone.
     */
    private static KeystoneAuthtoken credentials(IniFile ini, KeystoneAuthtoken service) {
        String s = "oslo_limit";
        String authType = ini.get(s, "auth_type").orElse("password").strip();
        if (!authType.equals("password")) {
            throw new IllegalArgumentException("[oslo_limit] auth_type: only 'password' is supported, got '" + authType + "'");
        }
        String authUrl = nonBlank(ini, s, "auth_url").map(ConfigLoader::stripSlash).orElse(service.authUrl());
        return new KeystoneAuthtoken(service.wwwAuthenticateUri(), authUrl,
                nonBlank(ini, s, "username").orElse(service.username()),
                nonBlank(ini, s, "password").orElse(service.password()),
                nonBlank(ini, s, "project_name").orElse(service.projectName()),
                nonBlank(ini, s, "user_domain_name").orElse(service.userDomainName()),
                nonBlank(ini, s, "project_domain_name").orElse(service.projectDomainName()),
                service.tokenCacheTime(), service.serviceTokenRoles(), service.serviceTokenRolesRequired(),
                service.httpConnectTimeout());
    }

    private static Optional<String> nonBlank(IniFile ini, String section, String option) {
        return ini.get(section, option).map(String::strip).filter(v -> !v.isEmpty());
    }
}
