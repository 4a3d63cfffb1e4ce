package glint.crash;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.DatabaseNeutral;
import glint.testing.GlintProcess;
import glint.testing.Poll;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real Glint process while image_conversion's qemu-img writes its output: the program dies
 * with Glint, and after a restart the image is queued, its task failed, and neither the staged data, the journalled
 * output nor qemu-img's temporary file is left.
 */
@DatabaseNeutral
class KillDuringConversionTest {
    @TempDir
    Path tools;
    @RegisterExtension
    final CrashDir site = new CrashDir();

    @Test
    void killDashNineMidConversionKillsQemuImgAndLeavesNoData() throws Exception {
        Path pid = tools.resolve("convert.pid");
        Path script = tools.resolve("qemu-img-stalls");
        // qemu-img info is the real one; convert writes some output, says it is running, and waits
        Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = convert ]; then\n  for out; do :; done\n"
                + "  echo partial > \"$out\"\n  echo $$ > " + pid + ".tmp && mv " + pid + ".tmp " + pid + "\n"
                + "  exec sleep 300\nfi\nexec qemu-img \"$@\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        site.create("glint-crash-convert-", "[image_import_opts]\nimage_import_plugins = [image_conversion]\n"
                + "[image_conversion]\noutput_format = qcow2\nqemu_img = " + script + "\n");
        GlintProcess glint = site.start();
        ApiClient admin = glint.admin();
        String id = admin.post("/v2/images", obj("name", "c", "disk_format", "raw", "container_format", "bare"))
                .json().get("id").asText();
        assertThat(admin.put("/v2/images/" + id + "/stage", new byte[1 << 20], "Content-Type", "application/octet-stream")
                .status()).isEqualTo(204);
        assertThat(admin.post("/v2/images/" + id + "/import", obj("method", obj("name", "glance-direct"))).status())
                .isEqualTo(202);
        Poll.until("qemu-img convert starts", Duration.ofSeconds(30), () -> Files.exists(pid));
        assertThat(site.files("staging")).as("staged data and qemu-img's output").isEqualTo(2);
        long qemuImg = Long.parseLong(Files.readString(pid).trim());
        glint.kill();
        Poll.until("qemu-img " + qemuImg + " ends with Glint", Duration.ofSeconds(10),
                () -> !ProcessHandle.of(qemuImg).map(ProcessHandle::isAlive).orElse(false));

        glint = site.start();
        admin = glint.admin();
        JsonNode image = admin.get("/v2/images/" + id).json();
        assertThat(image.get("status").asText()).isEqualTo("queued");
        assertThat(image.get("disk_format").asText()).isEqualTo("raw");
        assertThat(image.has("os_glance_import_task")).isFalse();
        JsonNode tasks = admin.get("/v2/images/" + id + "/tasks").json().get("tasks");
        assertThat(tasks.get(0).get("status").asText()).isEqualTo("failure");
        assertThat(site.files("staging")).as("nothing survives in staging").isZero();
        assertThat(site.files("images")).isZero();
    }
}
