package glint.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/** {@code DATA_DIR/openrc-admin}: the environment the OpenStack clients need, readable by its owner only. */
public final class Openrc {
    private Openrc() {}

    public static Path write(Path dataDir, String authUrl, String password, String region) {
        String text = "# Glint admin credentials: source this file, then run e.g. 'openstack image list'\n"
                + "export OS_AUTH_URL=" + authUrl + "\n"
                + "export OS_USERNAME=admin\n"
                + "export OS_PASSWORD='" + password.replace("'", "'\\''") + "'\n"
                + "export OS_PROJECT_NAME=admin\n"
                + "export OS_USER_DOMAIN_NAME=Default\n"
                + "export OS_PROJECT_DOMAIN_NAME=Default\n"
                + "export OS_IDENTITY_API_VERSION=3\n"
                + "export OS_IMAGE_API_VERSION=2\n"
                + "export OS_REGION_NAME=" + region + "\n"
                + "export OS_INTERFACE=public\n";
        try {
            Files.createDirectories(dataDir);
            Path target = dataDir.resolve("openrc-admin");
            Path tmp = Files.createTempFile(dataDir, ".openrc-", ".tmp", PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmp, text);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dataDir.resolve("openrc-admin"), e);
        }
    }
}
