package glint.api;

import static glint.testing.ApiClient.obj;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import glint.testing.ApiClient;
import glint.testing.ApiClient.Reply;
import glint.testing.TestServer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Keystone v3's admin API (projects, users, roles, grants, role assignments, domains) over real HTTP. */
class IdentityAdminApiTest {
    private static final String V3 = "/identity/v3";
    private static TestServer server;
    private static ApiClient admin;
    private static ApiClient member;
    private static ApiClient anonymous;

    @BeforeAll
    static void start() {
        server = TestServer.start();
        admin = new ApiClient(server.baseUrl(), server.adminToken());
        member = new ApiClient(server.baseUrl(), server.tokenFor("alpha", "alice", "member"));
        anonymous = new ApiClient(server.baseUrl(), null);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static Reply patch(ApiClient client, String path, Object body) {
        return client.patch(path, body, "Content-Type", "application/json");
    }

    static JsonNode created(Reply r, String key) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.json().get(key);
    }

    private static String createProject(String name) {
        return created(admin.post(V3 + "/projects", obj("project", obj("name", name))), "project").get("id").asText();
    }

    private static String createUser(String name, String password, String projectId) {
        return created(admin.post(V3 + "/users", obj("user", obj("name", name, "password", password,
                "default_project_id", projectId))), "user").get("id").asText();
    }

    private static String roleId(String name) {
        Reply r = admin.get(V3 + "/roles?name=" + name);
        assertThat(r.json().get("roles")).hasSize(1);
        return r.json().at("/roles/0/id").asText();
    }

    private static Reply login(String user, String password, Object scope) {
        return anonymous.post(V3 + "/auth/tokens", obj("auth", obj("identity", obj("methods", List.of("password"),
                "password", obj("user", obj("name", user, "domain", obj("id", "default"), "password", password))),
                "scope", scope)));
    }

    private static String token(Reply r) {
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        return r.header("X-Subject-Token").orElseThrow();
    }

    private static Object projectScope(String projectId) {
        return obj("project", obj("id", projectId));
    }

    static List<String> texts(JsonNode array, String pointer) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.at(pointer).asText()));
        return out;
    }

    private static void assertKeystoneError(Reply r, int status, String message) {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        if (r.raw().request().method().equals("HEAD")) {
            return; // no body
        }
        assertThat(r.json().at("/error/code").asInt()).isEqualTo(status);
        if (message != null) {
            assertThat(r.json().at("/error/message").asText()).isEqualTo(message);
        }
    }

    @Test
    void projectsCreateListShowUpdateDelete() {
        String name = unique("proj");
        Reply create = admin.post(V3 + "/projects", obj("project", obj("name", name, "description", "first", "enabled", true)));
        JsonNode p = created(create, "project");
        String id = p.get("id").asText();
        assertThat(id).matches("[0-9a-f]{32}");
        assertThat(p.get("name").asText()).isEqualTo(name);
        assertThat(p.get("domain_id").asText()).isEqualTo("default");
        assertThat(p.get("parent_id").asText()).isEqualTo("default");
        assertThat(p.get("description").asText()).isEqualTo("first");
        assertThat(p.get("enabled").asBoolean()).isTrue();
        assertThat(p.get("is_domain").asBoolean()).isFalse();
        assertThat(p.at("/links/self").asText()).isEqualTo(server.baseUrl() + V3 + "/projects/" + id);

        Reply byName = admin.get(V3 + "/projects?name=" + name);
        assertThat(byName.status()).isEqualTo(200);
        assertThat(texts(byName.json().get("projects"), "/id")).containsExactly(id);
        assertThat(byName.json().at("/links/self").asText()).isEqualTo(server.baseUrl() + V3 + "/projects");
        assertThat(byName.json().get("links").has("next")).isTrue();
        assertThat(texts(admin.get(V3 + "/projects?domain_id=default").json().get("projects"), "/name")).contains(name, "admin", "alpha");
        assertThat(admin.get(V3 + "/projects?domain_id=other").json().get("projects")).isEmpty();

        Reply show = admin.get(V3 + "/projects/" + id);
        assertThat(show.status()).isEqualTo(200);
        assertThat(show.json().get("project")).isEqualTo(p);

        String renamed = unique("proj");
        Reply update = patch(admin, V3 + "/projects/" + id, obj("project", obj("name", renamed, "description", "second", "enabled", false)));
        assertThat(update.status()).as(update.body()).isEqualTo(200);
        assertThat(update.json().at("/project/name").asText()).isEqualTo(renamed);
        assertThat(update.json().at("/project/description").asText()).isEqualTo("second");
        assertThat(update.json().at("/project/enabled").asBoolean()).isFalse();
        assertThat(admin.get(V3 + "/projects/" + id).json().at("/project/name").asText()).isEqualTo(renamed);
        assertThat(texts(admin.get(V3 + "/projects?enabled=false").json().get("projects"), "/id")).containsExactly(id);

        assertThat(admin.delete(V3 + "/projects/" + id).status()).isEqualTo(204);
        assertKeystoneError(admin.get(V3 + "/projects/" + id), 404, "Could not find project: " + id + ".");
        assertKeystoneError(admin.delete(V3 + "/projects/" + id), 404, null);
        assertKeystoneError(patch(admin, V3 + "/projects/" + id, obj("project", obj("name", "x"))), 404, null);
    }

    @Test
    void projectNamesAreUniquePerDomain() {
        String name = unique("dup");
        String id = createProject(name);
        assertKeystoneError(admin.post(V3 + "/projects", obj("project", obj("name", name))), 409,
                "Conflict occurred attempting to store project - Duplicate entry found with name " + name + " at domain ID default.");
        String other = createProject(unique("dup"));
        assertKeystoneError(patch(admin, V3 + "/projects/" + other, obj("project", obj("name", name))), 409, null);
        assertThat(admin.get(V3 + "/projects?name=" + name).json().get("projects")).hasSize(1);
        assertKeystoneError(admin.post(V3 + "/projects", obj("project", obj("name", unique("p"), "domain_id", "nope"))), 404,
                "Could not find domain: nope.");
        assertThat(admin.delete(V3 + "/projects/" + id).status()).isEqualTo(204);
        assertThat(admin.delete(V3 + "/projects/" + other).status()).isEqualTo(204);
    }

    @Test
    void malformedBodiesAre400() {
        String id = createProject(unique("bad"));
        for (Object body : List.of("{not json", obj(), obj("project", "x"), obj("project", obj()),
                obj("project", obj("name", 5)), obj("project", obj("name", "")),
                obj("project", obj("name", unique("p"), "enabled", "yes")),
                obj("project", obj("name", unique("p"), "description", 3)))) {
            assertKeystoneError(admin.post(V3 + "/projects", body), 400, null);
        }
        assertKeystoneError(patch(admin, V3 + "/projects/" + id, obj("project", obj("enabled", "no"))), 400, null);
        assertKeystoneError(patch(admin, V3 + "/projects/" + id, obj("project", obj("domain_id", "elsewhere"))), 400,
                "Cannot change Domain ID");
        assertKeystoneError(admin.post(V3 + "/users", obj("user", obj("password", "x"))), 400,
                "Invalid input for field 'name': 'name' is a required property");
        assertKeystoneError(admin.post(V3 + "/users", obj("user", obj("name", unique("u"), "password", 7))), 400, null);
        assertKeystoneError(admin.post(V3 + "/roles", obj("role", obj())), 400, null);
        assertKeystoneError(admin.post(V3 + "/users", obj("user", obj("name", unique("u"), "default_project_id", "nope"))),
                400, null);
    }

    @Test
    void usersCreateLoginUpdateDelete() {
        String project = createProject(unique("home"));
        String name = unique("user");
        Reply create = admin.post(V3 + "/users", obj("user", obj("name", name, "password", "pw-1", "default_project_id", project,
                "enabled", true, "email", "ignored@example.org", "project_id", project))); // Tempest's extra attributes
        JsonNode u = created(create, "user");
        String id = u.get("id").asText();
        assertThat(u.get("name").asText()).isEqualTo(name);
        assertThat(u.get("domain_id").asText()).isEqualTo("default");
        assertThat(u.get("default_project_id").asText()).isEqualTo(project);
        assertThat(u.get("enabled").asBoolean()).isTrue();
        assertThat(u.has("password")).isFalse();
        assertThat(u.get("password_expires_at").isNull()).isTrue();
        assertThat(u.at("/links/self").asText()).isEqualTo(server.baseUrl() + V3 + "/users/" + id);
        assertKeystoneError(admin.post(V3 + "/users", obj("user", obj("name", name))), 409, null);

        assertThat(texts(admin.get(V3 + "/users?name=" + name).json().get("users"), "/id")).containsExactly(id);
        assertThat(texts(admin.get(V3 + "/users?domain_id=default").json().get("users"), "/name")).contains(name, "admin");
        assertThat(admin.get(V3 + "/users/" + id).json().get("user")).isEqualTo(u);

        assertThat(admin.put(V3 + "/projects/" + project + "/users/" + id + "/roles/" + roleId("member"), null).status())
                .isEqualTo(204);
        String first = token(login(name, "pw-1", projectScope(project)));
        ApiClient asUser = new ApiClient(server.baseUrl(), first);
        assertThat(asUser.get("/v2/images").status()).isEqualTo(200);
        assertThat(texts(asUser.get(V3 + "/users/" + id + "/projects").json().get("projects"), "/id")).containsExactly(project);

        Reply newPassword = patch(admin, V3 + "/users/" + id, obj("user", obj("password", "pw-2")));
        assertThat(newPassword.status()).as(newPassword.body()).isEqualTo(200);
        assertThat(login(name, "pw-1", projectScope(project)).status()).isEqualTo(401);
        // as in Keystone, a new password revokes the tokens issued before it, on this node at once
        assertThat(asUser.get("/v2/images").status()).isEqualTo(401);
        assertThat(admin.get(V3 + "/auth/tokens", "X-Subject-Token", first).status()).isEqualTo(404);
        String afterChange = token(login(name, "pw-2", projectScope(project)));
        assertThat(new ApiClient(server.baseUrl(), afterChange).get("/v2/images").status()).isEqualTo(200);
        Reply renamed = patch(admin, V3 + "/users/" + id, obj("user", obj("name", name + "-x", "default_project_id", null)));
        assertThat(renamed.json().at("/user/name").asText()).isEqualTo(name + "-x");
        assertThat(renamed.json().get("user").has("default_project_id")).isFalse();
        assertThat(new ApiClient(server.baseUrl(), afterChange).get("/v2/images").status()).isEqualTo(200); // not a password change
        patch(admin, V3 + "/users/" + id, obj("user", obj("name", name)));

        Reply disable = patch(admin, V3 + "/users/" + id, obj("user", obj("enabled", false)));
        assertThat(disable.json().at("/user/enabled").asBoolean()).isFalse();
        assertThat(login(name, "pw-2", projectScope(project)).status()).isEqualTo(401);
        assertThat(asUser.get("/v2/images").status()).isEqualTo(401);
        patch(admin, V3 + "/users/" + id, obj("user", obj("enabled", true)));
        // Keystone's update_user revokes a disabled user's tokens: enabling it again does not bring them back
        assertThat(new ApiClient(server.baseUrl(), afterChange).get("/v2/images").status()).isEqualTo(401);
        String second = token(login(name, "pw-2", projectScope(project)));
        ApiClient again = new ApiClient(server.baseUrl(), second);
        assertThat(again.get("/v2/images").status()).isEqualTo(200);

        assertThat(admin.delete(V3 + "/users/" + id).status()).isEqualTo(204);
        assertThat(again.get("/v2/images").status()).isEqualTo(401);
        assertThat(admin.get(V3 + "/auth/tokens", "X-Subject-Token", second).status()).isEqualTo(404);
        assertKeystoneError(admin.get(V3 + "/users/" + id), 404, "Could not find user: " + id + ".");
        assertThat(admin.get(V3 + "/role_assignments?user.id=" + id).json().get("role_assignments")).isEmpty();
        assertThat(admin.delete(V3 + "/projects/" + project).status()).isEqualTo(204);
    }

    @Test
    void rolesListCreateShowDelete() {
        Reply list = admin.get(V3 + "/roles");
        assertThat(list.status()).isEqualTo(200);
        assertThat(texts(list.json().get("roles"), "/name")).contains("admin", "member", "reader");
        assertThat(texts(admin.get(V3 + "/roles?name=member").json().get("roles"), "/name")).containsExactly("member");

        String name = unique("role");
        JsonNode role = created(admin.post(V3 + "/roles", obj("role", obj("name", name))), "role");
        String id = role.get("id").asText();
        assertThat(role.get("name").asText()).isEqualTo(name);
        assertThat(role.get("domain_id").isNull()).isTrue();
        assertThat(role.at("/links/self").asText()).isEqualTo(server.baseUrl() + V3 + "/roles/" + id);
        assertKeystoneError(admin.post(V3 + "/roles", obj("role", obj("name", name))), 409, null);
        assertThat(admin.get(V3 + "/roles/" + id).json().get("role")).isEqualTo(role);

        String project = createProject(unique("rp"));
        String user = createUser(unique("ru"), "pw", project);
        assertThat(admin.put(V3 + "/projects/" + project + "/users/" + user + "/roles/" + id, null).status()).isEqualTo(204);
        assertThat(admin.delete(V3 + "/roles/" + id).status()).isEqualTo(204);
        assertKeystoneError(admin.get(V3 + "/roles/" + id), 404, "Could not find role: " + id + ".");
        assertThat(admin.get(V3 + "/role_assignments?role.id=" + id).json().get("role_assignments")).isEmpty();
        admin.delete(V3 + "/users/" + user);
        admin.delete(V3 + "/projects/" + project);
    }

    @Test
    void projectGrantsAndRoleAssignments() {
        String project = createProject(unique("gp"));
        String userName = unique("gu");
        String user = createUser(userName, "pw", project);
        String memberRole = roleId("member");
        String grant = V3 + "/projects/" + project + "/users/" + user + "/roles/" + memberRole;

        assertKeystoneError(admin.send("HEAD", grant, null), 404, null);
        assertThat(admin.put(grant, null).status()).isEqualTo(204);
        assertThat(admin.put(grant, null).status()).isEqualTo(204);
        Reply head = admin.send("HEAD", grant, null);
        assertThat(head.status()).isEqualTo(204);
        assertThat(admin.get(grant).status()).isEqualTo(204);
        Reply roles = admin.get(V3 + "/projects/" + project + "/users/" + user + "/roles");
        assertThat(texts(roles.json().get("roles"), "/name")).containsExactly("member");

        Reply direct = admin.get(V3 + "/role_assignments?user.id=" + user + "&scope.project.id=" + project);
        assertThat(direct.status()).isEqualTo(200);
        JsonNode a = direct.json().at("/role_assignments/0");
        assertThat(direct.json().get("role_assignments")).hasSize(1);
        assertThat(a.at("/role/id").asText()).isEqualTo(memberRole);
        assertThat(a.at("/user/id").asText()).isEqualTo(user);
        assertThat(a.at("/scope/project/id").asText()).isEqualTo(project);
        assertThat(a.at("/links/assignment").asText()).isEqualTo(server.baseUrl() + grant);
        assertThat(a.at("/role").has("name")).isFalse();

        Reply named = admin.get(V3 + "/role_assignments?user.id=" + user + "&include_names");
        JsonNode n = named.json().at("/role_assignments/0");
        assertThat(n.at("/role/name").asText()).isEqualTo("member");
        assertThat(n.at("/user/name").asText()).isEqualTo(userName);
        assertThat(n.at("/user/domain/name").asText()).isEqualTo("Default");
        assertThat(n.at("/scope/project/domain/id").asText()).isEqualTo("default");

        Reply effective = admin.get(V3 + "/role_assignments?user.id=" + user + "&effective&include_names=True");
        assertThat(texts(effective.json().get("role_assignments"), "/role/name")).containsExactlyInAnyOrder("member", "reader");
        Reply byRole = admin.get(V3 + "/role_assignments?scope.project.id=" + project + "&role.id=" + roleId("reader") + "&effective");
        assertThat(texts(byRole.json().get("role_assignments"), "/user/id")).containsExactly(user);
        assertThat(byRole.json().at("/role_assignments/0/links/prior_role").asText()).endsWith("/roles/" + memberRole);
        assertThat(admin.get(V3 + "/role_assignments?scope.project.id=" + project + "&role.id=" + roleId("reader"))
                .json().get("role_assignments")).isEmpty();
        assertThat(texts(admin.get(V3 + "/role_assignments").json().get("role_assignments"), "/user/id")).contains(user);

        ApiClient asUser = new ApiClient(server.baseUrl(), token(login(userName, "pw", projectScope(project))));
        assertThat(asUser.get("/v2/images").status()).isEqualTo(200); // now in this node's token cache
        assertThat(admin.delete(grant).status()).isEqualTo(204);
        assertThat(asUser.get("/v2/images").status()).isEqualTo(401); // its only role is gone, at once
        assertKeystoneError(admin.delete(grant), 404, "Could not find role assignment with role: " + memberRole
                + ", user or group: " + user + ", project, domain, or system: " + project + ".");
        assertThat(login(userName, "pw", projectScope(project)).status()).isEqualTo(401);

        assertKeystoneError(admin.put(V3 + "/projects/" + project + "/users/nobody/roles/" + memberRole, null), 404,
                "Could not find user: nobody.");
        assertKeystoneError(admin.put(V3 + "/projects/nowhere/users/" + user + "/roles/" + memberRole, null), 404,
                "Could not find project: nowhere.");
        assertKeystoneError(admin.put(V3 + "/projects/" + project + "/users/" + user + "/roles/norole", null), 404,
                "Could not find role: norole.");
        admin.delete(V3 + "/users/" + user);
        admin.delete(V3 + "/projects/" + project);
    }

    @Test
    void disablingAProjectEndsItsTokensAtOnce() {
        String project = createProject(unique("off"));
        String name = unique("ou");
        String user = createUser(name, "pw", project);
        admin.put(V3 + "/projects/" + project + "/users/" + user + "/roles/" + roleId("member"), null);
        ApiClient asUser = new ApiClient(server.baseUrl(), token(login(name, "pw", projectScope(project))));
        assertThat(asUser.get("/v2/images").status()).isEqualTo(200);
        assertThat(patch(admin, V3 + "/projects/" + project, obj("project", obj("enabled", false))).status()).isEqualTo(200);
        assertThat(asUser.get("/v2/images").status()).isEqualTo(401);
        assertThat(login(name, "pw", projectScope(project)).status()).isEqualTo(401);
        admin.delete(V3 + "/users/" + user);
        admin.delete(V3 + "/projects/" + project);
    }

    @Test
    void deletingAProjectRemovesItsAssignmentsAndUnsetsItAsDefaultProject() {
        String project = createProject(unique("dp"));
        String name = unique("du");
        String user = createUser(name, "pw", project);
        admin.put(V3 + "/projects/" + project + "/users/" + user + "/roles/" + roleId("member"), null);
        String scoped = token(login(name, "pw", projectScope(project)));
        assertThat(new ApiClient(server.baseUrl(), scoped).get("/v2/images").status()).isEqualTo(200);
        assertThat(admin.get(V3 + "/role_assignments?scope.project.id=" + project).json().get("role_assignments")).hasSize(1);
        assertThat(admin.delete(V3 + "/projects/" + project).status()).isEqualTo(204);
        assertThat(admin.get(V3 + "/role_assignments?scope.project.id=" + project).json().get("role_assignments")).isEmpty();
        assertThat(admin.get(V3 + "/role_assignments?user.id=" + user).json().get("role_assignments")).isEmpty();
        assertThat(admin.get(V3 + "/users/" + user).json().get("user").has("default_project_id")).isFalse();
        assertThat(admin.get(V3 + "/auth/tokens", "X-Subject-Token", scoped).status()).isEqualTo(404);
        assertThat(new ApiClient(server.baseUrl(), scoped).get("/v2/images").status()).isEqualTo(401);
        admin.delete(V3 + "/users/" + user);
    }

    @Test
    void systemGrantsAndASystemReader() {
        String project = createProject(unique("sp"));
        String name = unique("auditor");
        String user = createUser(name, "pw", project);
        String reader = roleId("reader");
        String grant = V3 + "/system/users/" + user + "/roles/" + reader;
        assertKeystoneError(admin.send("HEAD", grant, null), 404, null);
        assertThat(admin.put(grant, null).status()).isEqualTo(204);
        assertThat(admin.send("HEAD", grant, null).status()).isEqualTo(204);
        assertThat(texts(admin.get(V3 + "/system/users/" + user + "/roles").json().get("roles"), "/name")).containsExactly("reader");
        Reply assignments = admin.get(V3 + "/role_assignments?scope.system=all&user.id=" + user);
        assertThat(assignments.json().at("/role_assignments/0/scope/system/all").asBoolean()).isTrue();
        assertThat(assignments.json().at("/role_assignments/0/links/assignment").asText()).isEqualTo(server.baseUrl() + grant);

        ApiClient systemReader = new ApiClient(server.baseUrl(), token(login(name, "pw", obj("system", obj("all", true)))));
        assertThat(systemReader.get(V3 + "/projects").status()).isEqualTo(200);
        assertThat(systemReader.get(V3 + "/users").status()).isEqualTo(200);
        assertThat(systemReader.get(V3 + "/roles").status()).isEqualTo(200);
        assertThat(systemReader.get(V3 + "/role_assignments").status()).isEqualTo(200);
        assertThat(systemReader.get(V3 + "/domains").status()).isEqualTo(200);
        assertThat(systemReader.get(V3 + "/projects/" + project).status()).isEqualTo(200);
        assertThat(systemReader.send("HEAD", grant, null).status()).isEqualTo(204);
        assertKeystoneError(systemReader.post(V3 + "/projects", obj("project", obj("name", unique("x")))), 403,
                "You are not authorized to perform the requested action: identity:create_project.");
        assertKeystoneError(systemReader.put(grant, null), 403, null);
        assertKeystoneError(systemReader.delete(V3 + "/users/" + user), 403, null);

        assertThat(admin.delete(grant).status()).isEqualTo(204);
        assertKeystoneError(admin.delete(grant), 404, null);
        assertThat(admin.get(V3 + "/system/users/" + user + "/roles").json().get("roles")).isEmpty();
        admin.delete(V3 + "/users/" + user);
        admin.delete(V3 + "/projects/" + project);
    }

    @Test
    void domainsShowDefault() {
        Reply list = admin.get(V3 + "/domains");
        assertThat(list.status()).isEqualTo(200);
        assertThat(texts(list.json().get("domains"), "/id")).containsExactly("default");
        assertThat(list.json().at("/domains/0/name").asText()).isEqualTo("Default");
        assertThat(list.json().at("/domains/0/links/self").asText()).isEqualTo(server.baseUrl() + V3 + "/domains/default");
        assertThat(texts(admin.get(V3 + "/domains?name=Default").json().get("domains"), "/id")).containsExactly("default");
        assertThat(admin.get(V3 + "/domains/default").json().at("/domain/enabled").asBoolean()).isTrue();
        assertThat(member.get(V3 + "/domains/default").status()).isEqualTo(200); // a project user of the domain
        assertKeystoneError(admin.get(V3 + "/domains/nope"), 404, "Could not find domain: nope.");
        assertKeystoneError(member.get(V3 + "/domains"), 403, null);
    }

    @Test
    void nonAdminsAreForbiddenButMayShowThemselvesAndTheirProject() {
        String alpha = server.projectId("alpha");
        String alice = server.app().identity().userByName("default", "alice").orElseThrow().id();
        String adminUser = server.app().identity().userByName("default", "admin").orElseThrow().id();
        String adminProject = server.projectId("admin");
        String memberRole = roleId("member");
        assertThat(member.get(V3 + "/projects/" + alpha).status()).isEqualTo(200);
        assertThat(member.get(V3 + "/users/" + alice).status()).isEqualTo(200);
        List<Reply> forbidden = List.of(
                member.get(V3 + "/projects"), member.post(V3 + "/projects", obj("project", obj("name", unique("x")))),
                member.get(V3 + "/projects/" + adminProject), patch(member, V3 + "/projects/" + alpha, obj("project", obj("name", "y"))),
                member.delete(V3 + "/projects/" + alpha),
                member.get(V3 + "/users"), member.post(V3 + "/users", obj("user", obj("name", unique("x")))),
                member.get(V3 + "/users/" + adminUser), patch(member, V3 + "/users/" + alice, obj("user", obj("enabled", false))),
                member.delete(V3 + "/users/" + alice), member.get(V3 + "/users/" + adminUser + "/projects"),
                member.get(V3 + "/roles"), member.post(V3 + "/roles", obj("role", obj("name", unique("x")))),
                member.get(V3 + "/roles/" + memberRole), member.delete(V3 + "/roles/" + memberRole),
                member.put(V3 + "/projects/" + alpha + "/users/" + alice + "/roles/" + roleId("admin"), null),
                member.send("HEAD", V3 + "/projects/" + alpha + "/users/" + alice + "/roles/" + memberRole, null),
                member.delete(V3 + "/projects/" + alpha + "/users/" + alice + "/roles/" + memberRole),
                member.get(V3 + "/projects/" + alpha + "/users/" + alice + "/roles"),
                member.get(V3 + "/role_assignments"),
                member.put(V3 + "/system/users/" + alice + "/roles/" + roleId("admin"), null),
                member.get(V3 + "/system/users/" + alice + "/roles"),
                member.delete(V3 + "/system/users/" + adminUser + "/roles/" + roleId("admin")));
        for (Reply r : forbidden) {
            assertThat(r.status()).as(r.raw().request().method() + " " + r.raw().uri() + " → " + r.body()).isEqualTo(403);
            if (!r.raw().request().method().equals("HEAD")) {
                assertThat(r.json().at("/error/title").asText()).isEqualTo("Forbidden");
                assertThat(r.json().at("/error/message").asText()).startsWith("You are not authorized to perform the requested action: identity:");
            }
        }
        // nothing changed
        assertThat(admin.get(V3 + "/projects/" + alpha).json().at("/project/name").asText()).isEqualTo("alpha");
        assertThat(admin.get(V3 + "/users/" + alice).json().at("/user/enabled").asBoolean()).isTrue();
        assertThat(admin.get(V3 + "/system/users/" + alice + "/roles").json().get("roles")).isEmpty();
    }

    @Test
    void withoutAValidTokenIs401() {
        for (Reply r : List.of(anonymous.get(V3 + "/projects"), anonymous.post(V3 + "/users", obj("user", obj("name", "x"))),
                new ApiClient(server.baseUrl(), "bogus").get(V3 + "/roles"))) {
            assertThat(r.status()).isEqualTo(401);
            assertThat(r.json().at("/error/message").asText()).isEqualTo("The request you have made requires authentication.");
            assertThat(r.header("WWW-Authenticate")).contains("Keystone uri=\"" + server.baseUrl() + V3 + "\"");
        }
    }
}
