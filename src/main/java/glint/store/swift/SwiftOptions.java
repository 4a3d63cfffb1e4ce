package glint.store.swift;

import glint.store.StoreOptions;

import glint.config.IniFile;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A swift store's options, with glance_store's names and defaults ({@code glance_store/_drivers/swift/store.py} and
 * {@code utils.py} of glance_store 4.1, Debian's Glance 25.1), read from the store's section ({@code [name]} for
 * {@code enabled_backends = name:swift}, {@code [glance_store]} for the single store). The credentials come, as in
 * glance_store's single-tenant store, from the reference {@code default_swift_reference} of
 * {@code swift_store_config_file} ({@code auth_address}, {@code user} as {@code project:user}, {@code key},
 * {@code auth_version}, {@code project_domain_id|name}, {@code user_domain_id|name}), or else from the deprecated
 * {@code swift_store_auth_address}, {@code swift_store_user}, {@code swift_store_key} of the section itself.
 *
 * @param reference the reference's name, which locations carry ({@code swift+config://REFERENCE/CONTAINER/OBJECT})
 * @param authAddress the Keystone URL, with or without {@code /v3}
 * @param project the project part of {@code user}
 * @param largeObjectSize {@code swift_store_large_object_size} in bytes: the option is in glance_store's "MB" of
 *     1000 KiB ({@code ONE_MB = units.k * units.Ki})
 * @param chunkSize {@code swift_store_large_object_chunk_size} in bytes, same unit: the size of a segment
 * @param endpoint {@code swift_store_endpoint}: the storage URL to use instead of the catalog's, empty for the catalog
 * @param endpointType {@code swift_store_endpoint_type}: {@code publicURL}, {@code internalURL} or {@code adminURL}
 * @param region {@code swift_store_region}; empty: the first object-store endpoint of the interface
 */
public record SwiftOptions(String reference, String authAddress, String project, String user, String key,
                           String userDomainId, String userDomainName, String projectDomainId, String projectDomainName,
                           String container, boolean createContainerOnPut, long largeObjectSize, long chunkSize,
                           String endpoint, String endpointType, String serviceType, String region) {
    /** glance_store's swift "MB": {@code units.k * units.Ki}. */
    static final long ONE_MB = 1000L * 1024;
    /** Swift's default {@code max_file_size} (5 GiB + 2 bytes): a segment cannot be larger. */
    static final long MAX_SEGMENT = 5L * 1024 * 1024 * 1024 + 2;

    @Override
    public String toString() { // never the key
        return "SwiftOptions[" + reference + ": " + authAddress + ", " + project + ":" + user + ", container " + container
                + ", segments of " + chunkSize + " bytes]";
    }

    /**
     * @throws IllegalArgumentException naming the store and the option, as glance_store's BadStoreConfiguration
     */
    public static SwiftOptions parse(String storeId, Map<String, String> options) {
        StoreOptions r = new StoreOptions(storeId, options);
        String reference = r.optional("default_swift_reference").orElse("ref1");
        Map<String, String> ref;
        Optional<String> file = r.optional("swift_store_config_file");
        if (file.isPresent()) {
            IniFile ini;
            try {
                ini = IniFile.read(Path.of(file.get()));
            } catch (IOException e) {
                throw r.bad("swift_store_config_file " + file.get() + " cannot be read: " + e.getMessage());
            }
            ref = ini.section(reference);
            if (ref.isEmpty()) {
                throw r.bad("the reference '" + reference + "' (default_swift_reference) is not a section of " + file.get());
            }
        } else {
            ref = Map.of("auth_address", r.optional("swift_store_auth_address").orElse(""),
                    "user", r.optional("swift_store_user").orElse(""), "key", r.optional("swift_store_key").orElse(""));
        }
        StoreOptions refReader = new StoreOptions(storeId + "' reference '" + reference, ref);
        String authAddress = refReader.required("auth_address");
        String user = refReader.required("user");
        String key = refReader.required("key");
        String version = refReader.optional("auth_version").or(() -> r.optional("swift_store_auth_version")).orElse("3");
        if (!version.equals("3") && !version.equals("2")) {
            throw r.bad("auth_version " + version + " is not supported: Glint authenticates with Keystone v3 only "
                    + "(swauth, auth_version 1, is not)");
        }
        int colon = user.indexOf(':');
        if (colon <= 0 || colon == user.length() - 1) {
            throw r.bad("user must be project:user (glance_store's tenant:user), not '" + user + "'");
        }
        try {
            URI u = URI.create(authAddress);
            if (u.getHost() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https"))) {
                throw new IllegalArgumentException("no host");
            }
        } catch (IllegalArgumentException e) {
            throw r.bad("auth_address must be an http(s) URL, not '" + authAddress + "'");
        }
        String userDomainId = refReader.optional("user_domain_id").orElse("");
        String userDomainName = refReader.optional("user_domain_name").orElse("");
        if (userDomainId.isEmpty() && userDomainName.isEmpty()) {
            userDomainId = "default";
        }
        String projectDomainId = refReader.optional("project_domain_id").orElse("");
        String projectDomainName = refReader.optional("project_domain_name").orElse("");
        if (projectDomainId.isEmpty() && projectDomainName.isEmpty()) {
            projectDomainId = "default";
        }
        long largeMb = r.longValue("swift_store_large_object_size", 5 * 1024);
        long chunkMb = r.longValue("swift_store_large_object_chunk_size", 200);
        if (largeMb <= 0) {
            throw r.bad("swift_store_large_object_size must be positive, not " + largeMb);
        }
        if (chunkMb <= 0 || chunkMb * ONE_MB > MAX_SEGMENT) {
            throw r.bad("swift_store_large_object_chunk_size must be positive and at most Swift's 5 GiB segment limit, not "
                    + chunkMb);
        }
        String endpointType = r.optional("swift_store_endpoint_type").orElse("publicURL");
        if (!endpointType.equals("publicURL") && !endpointType.equals("internalURL") && !endpointType.equals("adminURL")) {
            throw r.bad("swift_store_endpoint_type must be publicURL, internalURL or adminURL, not '" + endpointType + "'");
        }
        if (r.bool("swift_store_multi_tenant", false)) {
            throw r.bad("swift_store_multi_tenant is not supported: images go to the account of the reference's user");
        }
        String container = r.optional("swift_store_container").orElse("glance");
        if (container.contains("/")) {
            throw r.bad("swift_store_container must not contain '/': '" + container + "'");
        }
        return new SwiftOptions(reference, authAddress, user.substring(0, colon), user.substring(colon + 1), key,
                userDomainId, userDomainName, projectDomainId, projectDomainName, container,
                r.bool("swift_store_create_container_on_put", false), largeMb * ONE_MB, chunkMb * ONE_MB,
                r.optional("swift_store_endpoint").orElse(""), endpointType,
                r.optional("swift_store_service_type").orElse("object-store"), r.optional("swift_store_region").orElse(""));
    }

    /** Keystone's interface name for {@link #endpointType}: {@code publicURL} is {@code public}. */
    String keystoneInterface() {
        return endpointType.substring(0, endpointType.length() - "URL".length()).toLowerCase(Locale.ROOT);
    }

    /** {@code .../v3}, whether or not {@code auth_address} ends with it. */
    String identityV3() {
        String a = authAddress.strip();
        while (a.endsWith("/")) {
            a = a.substring(0, a.length() - 1);
        }
        return a.endsWith("/v3") ? a : a + "/v3";
    }
}
