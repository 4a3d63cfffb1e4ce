"""Image sharing between two projects with the real `openstack` CLI, the way an operator and two tenants do it.

The admin of the OS_* environment creates two projects and a user with the member role in each (`openstack
project create`, `openstack user create --project`, `openstack role add`), and those users then share an image
through the Images API's members (`openstack image add project`, `image set --accept`, `image remove project`).
Images are deleted through the SDK as the admin; the users and projects through the SDK's identity proxy.
"""
import json
import os
import subprocess
import uuid

from common import CLI_ENV, CLI_TIMEOUT, MiB, InteropCase, openstack_cli, openstack_json, sdk, unique

# What a per-user CLI environment replaces: the admin's identity and anything that would override it.
_IDENTITY_VARS = ("OS_USERNAME", "OS_USER_ID", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_PROJECT_ID", "OS_TENANT_NAME",
                  "OS_TENANT_ID", "OS_TOKEN", "OS_SYSTEM_SCOPE", "OS_DOMAIN_NAME", "OS_DOMAIN_ID")


class MultiProjectSharingTest(InteropCase):
    expected_seconds = 115  # for the runner's order (runner.py)

    def setUp(self):
        super().setUp()
        if os.environ.get("OS_CLOUD") and not os.environ.get("OS_AUTH_URL"):
            self.skipTest("needs OS_* variables (per-user CLI environments are made from them)")

    def project(self, tag):
        name = unique("proj-" + tag)
        project = openstack_json("project", "create", "--description", "glint interop " + tag, name)
        self.addCleanup(self._delete_project, project["id"])
        self.assertEqual(name, project["name"])
        return project

    def user(self, tag, project):
        name, password = unique("user-" + tag), uuid.uuid4().hex
        user = openstack_json("user", "create", "--project", project["name"], "--password", password, name)
        self.addCleanup(self._delete_user, user["id"])
        self.assertEqual(project["id"], user["default_project_id"])
        openstack_cli("role", "add", "--project", project["name"], "--user", name, "member")
        return {"name": name, "password": password, "id": user["id"], "project": project}

    @staticmethod
    def cli_env(user, project):
        env = dict(CLI_ENV)
        for var in _IDENTITY_VARS:
            env.pop(var, None)
        env.update(OS_USERNAME=user["name"], OS_PASSWORD=user["password"], OS_PROJECT_ID=project["id"],
                   OS_USER_DOMAIN_NAME="Default", OS_PROJECT_DOMAIN_NAME="Default")
        return env

    @staticmethod
    def _run(env, *args, check=True):
        p = subprocess.run(["openstack", *args], env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                           timeout=CLI_TIMEOUT)
        if check and p.returncode != 0:
            raise AssertionError("`openstack %s` exited with %d\n--- stdout\n%s--- stderr\n%s"
                                 % (" ".join(args), p.returncode, p.stdout, p.stderr))
        return p

    def as_user(self, user, *args, check=True):
        return self._run(self.cli_env(user, user["project"]), *args, check=check)

    def visible_ids(self, user):
        return [i["ID"] for i in json.loads(self.as_user(user, "image", "list", "-f", "json").stdout)]

    def assertHidden(self, user, image_id):
        self.assertNotIn(image_id, self.visible_ids(user))
        shown = self.as_user(user, "image", "show", image_id, check=False)
        self.assertNotEqual(0, shown.returncode, "image show of a hidden image succeeded: " + shown.stdout)
        saved = self.as_user(user, "image", "save", "--file", self.path("hidden.bin"), image_id, check=False)
        self.assertNotEqual(0, saved.returncode, "image save of a hidden image succeeded")

    def _delete_user(self, user_id):
        try:
            sdk().identity.delete_user(user_id, ignore_missing=True)
        except Exception as e:  # noqa: BLE001 - cleanup must not hide the test's own outcome
            print("interop cleanup: could not delete user %s: %s" % (user_id, e))

    def _delete_project(self, project_id):
        try:
            sdk().identity.delete_project(project_id, ignore_missing=True)
        except Exception as e:  # noqa: BLE001
            print("interop cleanup: could not delete project %s: %s" % (project_id, e))

    def test_private_image_shared_with_another_project_then_unshared(self):
        a = self.user("a", self.project("a"))
        b = self.user("b", self.project("b"))
        src = self.random_file(MiB + 13)

        image = json.loads(self.as_user(a, "image", "create", "--private", "--disk-format", "raw", "--container-format",
                                        "bare", "--file", src, unique("shared"), "-f", "json").stdout)
        image_id = self.track(image["id"])
        self.assertEqual("private", image["visibility"])
        self.assertEqual(a["project"]["id"], image["owner"])
        self.assertIn(image_id, self.visible_ids(a))
        self.assertHidden(b, image_id)

        self.as_user(a, "image", "set", "--shared", image_id)
        # the member is B's project id: a non-admin cannot look other projects up by name
        member = json.loads(self.as_user(a, "image", "add", "project", image_id, b["project"]["id"], "-f", "json").stdout)
        self.assertEqual("pending", member["status"])
        self.assertEqual(b["project"]["id"], member["member_id"])
        self.assertNotIn(image_id, self.visible_ids(b))  # pending members are not listed by default

        self.as_user(b, "image", "set", "--accept", image_id)
        self.assertIn(image_id, self.visible_ids(b))
        out = self.path("copy.bin")
        self.as_user(b, "image", "save", "--file", out, image_id)
        self.assertSameFile(src, out)
        shown = json.loads(self.as_user(b, "image", "show", image_id, "-f", "json").stdout)
        self.assertEqual("shared", shown["visibility"])

        self.as_user(a, "image", "remove", "project", image_id, b["project"]["id"])
        self.assertHidden(b, image_id)
        self.assertIn(image_id, self.visible_ids(a))
