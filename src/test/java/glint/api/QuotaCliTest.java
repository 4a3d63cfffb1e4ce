package glint.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import glint.testing.TestDatabases;
import glint.testing.TestServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Quotas with the real OpenStack CLI (Debian's python3-openstackclient, run with /usr/bin/python3's
 * {@code /usr/bin/openstack}) against the built-in identity, as Glance's install guide registers them
 * (doc/source/install/register-quotas.rst): {@code openstack registered limit create --service glance …},
 * {@code openstack limit create …} (which resolve the service, region and project through {@code /v3/services},
 * {@code /v3/regions}, {@code /v3/projects}), list, set, delete; then {@code openstack image create} as a project
 * member within and past the limits. Skipped where the client is not installed ({@code ./test} installs it), and
 * run on SQLite only: the CLI is what it checks (about 25 runs of it, 3 minutes); the limits' SQL on each database is
 * {@link LimitsApiTest}'s and {@link QuotaApiTest}'s.
 */
class QuotaCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path OPENSTACK = Path.of("/usr/bin/openstack");
    @TempDir
    Path images; // the files the CLI uploads

    /** One run of the CLI: its exit code and what it printed. */
    record Run(int code, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out + " / " + err, e);
            }
        }
    }

    @Test
    void registeredLimitsAndProjectLimitsFromTheCliAreEnforcedOnImageCreate() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(OPENSTACK), "python3-openstackclient is not installed");
        Assumptions.assumeTrue(TestDatabases.selected().equals("sqlite"), "the CLI runs against SQLite only");
        try (TestServer server = TestServer.start("use_keystone_limits = true")) {
            Map<String, String> admin = openrc(server);
            server.tokenFor("demo", "demo-user", "member"); // project demo, user demo-user (password demo-user-secret)
            Map<String, String> demo = new HashMap<>(admin);
            demo.put("OS_USERNAME", "demo-user");
            demo.put("OS_PASSWORD", "demo-user-secret");
            demo.put("OS_PROJECT_NAME", "demo");

            for (String[] r : new String[][] {{"image_size_total", "1"}, {"image_stage_total", "10"},
                    {"image_count_total", "2"}, {"image_count_uploading", "10"}}) {
                Run created = ok(openstack(admin, "registered", "limit", "create", "--service", "glance", "--default-limit",
                        r[1], "--region", "RegionOne", r[0], "-f", "json"));
                assertThat(created.json().get("resource_name").asText()).isEqualTo(r[0]);
                assertThat(created.json().get("default_limit").asLong()).isEqualTo(Long.parseLong(r[1]));
                assertThat(created.json().get("region_id").asText()).isEqualTo("RegionOne");
            }
            Run duplicate = openstack(admin, "registered", "limit", "create", "--service", "glance", "--default-limit", "5",
                    "--region", "RegionOne", "image_count_total");
            assertThat(duplicate.code()).isNotZero();
            assertThat(duplicate.err()).contains("409");
            assertThat(ok(openstack(admin, "registered", "limit", "list", "-f", "json")).json()).hasSize(4);

            Run limit = ok(openstack(admin, "limit", "create", "--service", "glance", "--project", "demo",
                    "--resource-limit", "3", "--region", "RegionOne", "image_count_total", "-f", "json"));
            String limitId = limit.json().get("id").asText();
            assertThat(limit.json().get("project_id").asText()).isEqualTo(server.projectId("demo"));
            assertThat(limit.json().get("resource_limit").asLong()).isEqualTo(3);
            JsonNode listed = ok(openstack(admin, "limit", "list", "-f", "json")).json();
            assertThat(listed).hasSize(1);
            assertThat(listed.get(0).get("Resource Name").asText()).isEqualTo("image_count_total");

            Path half = Files.write(images.resolve("half.raw"), new byte[512 * 1024]);
            Path one = Files.write(images.resolve("one.raw"), new byte[1024 * 1024]);
            ok(openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--file",
                    half.toString(), "half"));
            // 0.5 MiB used of 1: a 1 MiB upload is refused with Glance's 413
            Run tooBig = openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "--file",
                    one.toString(), "one");
            assertThat(tooBig.code()).isNotZero();
            assertThat(tooBig.out() + tooBig.err()).contains("413");

            // image_count_total: the project's limit (3), not the default (2); openstacksdk deleted the refused image
            ok(openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "empty-1"));
            ok(openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "empty-2"));
            Run fourth = openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "empty-3");
            assertThat(fourth.code()).isNotZero();
            assertThat(fourth.out() + fourth.err()).contains("image_count_total is over limit of 3");

            ok(openstack(admin, "limit", "set", "--resource-limit", "4", limitId));
            ok(openstack(demo, "image", "create", "--disk-format", "raw", "--container-format", "bare", "empty-3"));

            // a registered limit that a project limit refers to cannot go (403, as Keystone); the limit can
            String registered = ok(openstack(admin, "registered", "limit", "list", "--resource-name", "image_count_total",
                    "-f", "json")).json().get(0).get("ID").asText();
            assertThat(openstack(admin, "registered", "limit", "delete", registered).code()).isNotZero();
            ok(openstack(admin, "limit", "delete", limitId));
            ok(openstack(admin, "registered", "limit", "delete", registered));
            assertThat(ok(openstack(admin, "registered", "limit", "list", "-f", "json")).json()).hasSize(3);
        }
    }

    private static Run ok(Run run) {
        assertThat(run.code()).as("exit code of the CLI; stderr: " + run.err()).isZero();
        return run;
    }

    /** The server's openrc-admin as environment variables. */
    private static Map<String, String> openrc(TestServer server) throws IOException {
        Map<String, String> env = new HashMap<>();
        for (String line : Files.readAllLines(server.dataDir().resolve("openrc-admin"))) {
            if (line.startsWith("export ")) {
                String[] kv = line.substring("export ".length()).split("=", 2);
                env.put(kv[0], kv[1].replaceAll("^'|'$", ""));
            }
        }
        return env;
    }

    private static Run openstack(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(OPENSTACK.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(new File("/dev/null"));
        pb.environment().keySet().removeIf(k -> k.startsWith("OS_"));
        pb.environment().putAll(env);
        Path out = Files.createTempFile("glint-cli-", ".out");
        Path err = Files.createTempFile("glint-cli-", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("openstack " + String.join(" ", args) + " did not finish");
        }
        Run run = new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        Files.delete(out);
        Files.delete(err);
        return run;
    }
}
