"""Image format inspection through the real clients: every way data enters the image service (plain upload, stage
+ glance-direct, web-download, copy-image) with qcow2 images made by qemu-img at test time.

What is expected is Glance master's `ImageProxy.set_data` (glance/location.py) with oslo.utils' format inspector
and `[image_format] require_image_format_match = true` (its default):
- a safe qcow2 goes active as qcow2 with `virtual_size` = qemu-img's virtual size;
- a qcow2 with a backing file (another qcow2, or /etc/passwd written with `qemu-img create -u`) or an external data
  file fails the safety checks: an upload is refused with 415 (`HTTPUnsupportedMediaType`) and the image stays
  `queued` without data; an import fails its task and the image goes back to `queued` without data, and stays
  importable;
- declared `raw`, safe content of another format is taken as raw (`virtual_size` = the byte size), unsafe content is
  refused; content that is raw declared `qcow2` is refused (format mismatch).

Client notes: `openstack image create --file` (openstacksdk 0.101) deletes the image when its upload fails, so the
"stays queued" checks upload with `glance image-create --file`, which keeps the image. The openstack CLI 6.0 has no
import command: imports go through `glance image-create-via-import` and `glance image-import`, run with stdin closed
(glanceclient refuses --file/--uri beside a non-tty stdin).

Web-download fetches from a loopback HTTP server started by the class on port $INTEROP_HTTP_PORT (default 18080,
the peer's WEB_DOWNLOAD_PORT); the endpoint must allow 127.0.0.1 and that port in `[import_filtering_opts]`
(scripts/interop-glint.sh does for Glint). Copy-image needs two stores (`enabled_backends`); it is skipped, saying
so, when the endpoint has fewer.
"""
import functools
import http.server
import json
import os
import tempfile
import threading
import unittest

from common import InteropCase, glance, openstack_cli, openstack_json, parse_table, run, sdk, unique, wait_for

GiB = 1024 ** 3
REFUSED = "415"


def qemu_img(*args):
    return run("qemu-img", *args)


def make_images(d):
    """The test images, in directory d: {name: path}. The qcow2 are 1 GiB virtual (big.qcow2 5 GiB, past 32 bits),
    a few hundred KiB real."""
    p = {name: os.path.join(d, name) for name in
         ("safe.qcow2", "big.qcow2", "base.qcow2", "backing.qcow2", "passwd.qcow2", "datafile.qcow2", "datafile.raw",
          "disk.raw")}
    qemu_img("create", "-f", "qcow2", p["safe.qcow2"], "1G")
    qemu_img("create", "-f", "qcow2", p["big.qcow2"], "5G")
    qemu_img("create", "-f", "qcow2", p["base.qcow2"], "1G")
    qemu_img("create", "-f", "qcow2", "-b", p["base.qcow2"], "-F", "qcow2", p["backing.qcow2"])
    # -u: written without opening the backing file, as an attacker would (the CVE-2015-5162/2024-32498 family)
    qemu_img("create", "-f", "qcow2", "-u", "-b", "/etc/passwd", "-F", "raw", p["passwd.qcow2"], "1G")
    qemu_img("create", "-f", "qcow2", "-o", "data_file=" + p["datafile.raw"], p["datafile.qcow2"], "1G")
    with open(p["disk.raw"], "wb") as f:
        # raw content that no inspector recognises: text, then zeros (no MBR signature, no magic anywhere)
        f.write(b"glint interop raw disk\n".ljust(2 * 1024 * 1024, b"\0"))
    return p


def virtual_size(path):
    return json.loads(qemu_img("info", "--output=json", path).stdout)["virtual-size"]


def image_json(image_id):
    """GET /v2/images/{id} as the API returns it (extra properties such as os_glance_failed_import included)."""
    r = sdk().image.get("/images/%s" % image_id)
    assert r.status_code == 200, "GET /v2/images/%s: %d %s" % (image_id, r.status_code, r.text)
    return r.json()


def image_tasks(image_id):
    """GET /v2/images/{id}/tasks (API 2.12), oldest first."""
    r = sdk().image.get("/images/%s/tasks" % image_id)
    assert r.status_code == 200, "GET /v2/images/%s/tasks: %d %s" % (image_id, r.status_code, r.text)
    return sorted(r.json()["tasks"], key=lambda t: t["created_at"])


def stores():
    """The store ids of GET /v2/info/stores, the default first; [] when the endpoint is single-store."""
    r = sdk().image.get("/info/stores")
    if r.status_code != 200:
        return []
    found = r.json().get("stores", [])
    return [s["id"] for s in sorted(found, key=lambda s: str(s.get("default")).lower() != "true")]


def store_list(value):
    return [s for s in (value or "").split(",") if s]


class _FormatsCase(InteropCase):
    images = {}

    @classmethod
    def setUpClass(cls):
        tmp = tempfile.TemporaryDirectory(prefix="glint-interop-formats-")
        cls.addClassCleanup(tmp.cleanup)
        cls.images = make_images(tmp.name)
        cls.image_dir = tmp.name
        cls.qcow2_virtual_size = virtual_size(cls.images["safe.qcow2"])
        assert cls.qcow2_virtual_size == GiB, cls.qcow2_virtual_size

    def size_of(self, name):
        return os.path.getsize(self.images[name])

    def assertActive(self, image_id, disk_format, virtual):
        image = image_json(image_id)
        self.assertEqual(("active", disk_format, virtual),
                         (image["status"], image["disk_format"], image.get("virtual_size")),
                         "status, disk_format, virtual_size of %s" % image_id)
        return image

    def assertQueuedWithoutData(self, image_id):
        image = image_json(image_id)
        self.assertEqual("queued", image["status"], "status of %s" % image_id)
        self.assertEqual([], store_list(image.get("stores")), "stores of %s" % image_id)
        # an image without data: Glance answers 204 to its download
        r = sdk().image.get("/images/%s/file" % image_id)
        self.assertEqual(204, r.status_code, "GET /v2/images/%s/file" % image_id)
        return image

    def assertUploadQueuedWithoutData(self, image_id):
        image = self.assertQueuedWithoutData(image_id)
        self.assertEqual((None, None), (image.get("size"), image.get("checksum")), "size, checksum of %s" % image_id)

    def assertRefusedUpload(self, result, what):
        out = result.stdout + result.stderr
        self.assertNotEqual(0, result.returncode, "%s was accepted:\n%s" % (what, out))
        self.assertIn(REFUSED, out, "%s: the CLI's error does not mention 415:\n%s" % (what, out))

    def wait_import(self, image_id, tasks=1):
        """Waits until the image's `tasks`-th import task has finished and the image has left `importing`;
        returns (image, that task)."""
        last = {}

        def finished():
            last["tasks"] = found = image_tasks(image_id)
            if len(found) >= tasks and found[tasks - 1]["status"] in ("success", "failure"):
                return found[tasks - 1]
            return None

        def left_importing():
            last["image"] = image = image_json(image_id)
            return image if image["status"] != "importing" else None

        task = wait_for("import task %d of image %s to finish" % (tasks, image_id), finished,
                        seen=lambda: [(t["status"], t.get("message")) for t in last.get("tasks", [])])
        # Glance 25.1 leaves a glance-direct image `importing` for good when the data is refused in its
        # _ImportToStore (web-download's revert puts it back to `queued`); this suite expects `queued` for both
        image = wait_for("image %s to leave importing after its task %s (%s)" % (image_id, task["status"],
                                                                                 task.get("message")),
                         left_importing, timeout=30,
                         seen=lambda: {k: last["image"].get(k) for k in ("status", "stores", "os_glance_failed_import",
                                                                         "os_glance_importing_to_stores")})
        return image, task

    def assertImportSucceeded(self, image_id, disk_format, virtual, tasks=1):
        image, task = self.wait_import(image_id, tasks)
        self.assertEqual("success", task["status"], "import task %s: %s" % (task["id"], task.get("message")))
        return self.assertActive(image_id, disk_format, virtual)

    def assertImportRefused(self, image_id):
        image, task = self.wait_import(image_id)
        self.assertEqual("failure", task["status"], "import task %s of %s: %s (image %s)"
                         % (task["id"], image_id, task.get("message"), image["status"]))
        self.assertTrue(task.get("message"), "the failed task %s says why" % task["id"])
        image = self.assertQueuedWithoutData(image_id)
        self.assertFalse(store_list(image.get("os_glance_importing_to_stores")), "importing stores of %s" % image_id)
        known = stores()
        if known:
            # multi-store: the store the import was for is listed as failed, as Glance's _ImportToStore.revert does
            self.assertIn(known[0], store_list(image.get("os_glance_failed_import")),
                          "os_glance_failed_import of %s" % image_id)
        return task


class UploadFormatsTest(_FormatsCase):
    """PUT /v2/images/{id}/file: `openstack image create --file`, and `glance image-create --file` where the refused
    image must remain to be looked at."""

    def openstack_create(self, file, disk_format, check=True):
        name = unique("fmt-up")
        result = openstack_cli("image", "create", "--file", self.images[file], "--disk-format", disk_format,
                               "--container-format", "bare", "-f", "json", name, check=check)
        if result.returncode == 0:
            self.track(json.loads(result.stdout)["id"])
        else:
            for leftover in sdk().image.images(name=name):  # the SDK deletes a failed upload's image itself
                self.track(leftover.id)
        return name, result

    def glance_create(self, file, disk_format):
        result = glance("image-create", "--file", self.images[file], "--disk-format", disk_format,
                        "--container-format", "bare", "--name", unique("fmt-up"), check=False)
        image_id = parse_table(result.stdout).get("id")
        self.assertTrue(image_id, "no image printed:\n%s%s" % (result.stdout, result.stderr))
        self.track(image_id)
        return image_id, result

    def test_safe_qcow2_is_active_with_its_virtual_size(self):
        name, result = self.openstack_create("safe.qcow2", "qcow2")
        image = self.assertActive(json.loads(result.stdout)["id"], "qcow2", self.qcow2_virtual_size)
        self.assertEqual(self.size_of("safe.qcow2"), image["size"])

    def test_virtual_size_past_32_bits(self):
        image_id, result = self.glance_create("big.qcow2", "qcow2")
        self.assertEqual(0, result.returncode, result.stdout + result.stderr)
        self.assertActive(image_id, "qcow2", virtual_size(self.images["big.qcow2"]))

    def test_qcow2_with_backing_file_is_refused(self):
        name, result = self.openstack_create("backing.qcow2", "qcow2", check=False)
        self.assertRefusedUpload(result, "a qcow2 with a backing file")
        for leftover in sdk().image.images(name=name):  # none (the SDK deleted it), or one without data
            self.assertUploadQueuedWithoutData(leftover.id)

    def test_qcow2_backed_by_etc_passwd_is_refused_and_stays_queued(self):
        image_id, result = self.glance_create("passwd.qcow2", "qcow2")
        self.assertRefusedUpload(result, "a qcow2 backed by /etc/passwd")
        self.assertUploadQueuedWithoutData(image_id)

    def test_qcow2_with_data_file_is_refused_and_stays_queued(self):
        image_id, result = self.glance_create("datafile.qcow2", "qcow2")
        self.assertRefusedUpload(result, "a qcow2 with an external data file")
        self.assertUploadQueuedWithoutData(image_id)

    def test_safe_qcow2_declared_raw_stays_raw(self):
        name, result = self.openstack_create("safe.qcow2", "raw")
        self.assertActive(json.loads(result.stdout)["id"], "raw", self.size_of("safe.qcow2"))

    def test_unsafe_qcow2_declared_raw_is_refused(self):
        image_id, result = self.glance_create("backing.qcow2", "raw")
        self.assertRefusedUpload(result, "a qcow2 with a backing file declared raw")
        self.assertUploadQueuedWithoutData(image_id)

    def test_raw_declared_qcow2_is_refused(self):
        image_id, result = self.glance_create("disk.raw", "qcow2")
        self.assertRefusedUpload(result, "raw data declared qcow2")
        self.assertUploadQueuedWithoutData(image_id)


class GlanceDirectFormatsTest(_FormatsCase):
    """PUT /v2/images/{id}/stage then POST /v2/images/{id}/import glance-direct:
    `glance image-create-via-import --import-method glance-direct --file`."""

    def create_via_import(self, file, disk_format):
        out = glance("image-create-via-import", "--import-method", "glance-direct", "--file", self.images[file],
                     "--disk-format", disk_format, "--container-format", "bare", "--name", unique("fmt-gd"),
                     close_stdin=True).stdout
        image_id = parse_table(out).get("id")
        self.assertTrue(image_id, out)
        return self.track(image_id)

    def test_safe_qcow2_is_active_with_its_virtual_size(self):
        image_id = self.create_via_import("safe.qcow2", "qcow2")
        self.assertImportSucceeded(image_id, "qcow2", self.qcow2_virtual_size)

    def stage_refused(self, file, disk_format):
        """Glint inspects the stage itself (Glance master only the later copy to a store): the CLI's stage step gets
        the 415 and the image, created first, goes back to `queued` without data."""
        name = unique("fmt-gd")
        result = glance("image-create-via-import", "--import-method", "glance-direct", "--file", self.images[file],
                        "--disk-format", disk_format, "--container-format", "bare", "--name", name,
                        close_stdin=True, check=False)
        self.assertRefusedUpload(result, "staging %s as %s" % (file, disk_format))
        found = [i.id for i in sdk().image.images(name=name)]
        self.assertEqual(1, len(found), "images named %s" % name)
        image_id = self.track(found[0])
        self.assertUploadQueuedWithoutData(image_id)
        return image_id

    def test_qcow2_with_backing_file_is_refused_at_stage_and_the_image_can_be_imported_again(self):
        image_id = self.stage_refused("backing.qcow2", "qcow2")
        glance("image-stage", "--file", self.images["safe.qcow2"], image_id, close_stdin=True)
        glance("image-import", "--import-method", "glance-direct", image_id, close_stdin=True)
        self.assertImportSucceeded(image_id, "qcow2", self.qcow2_virtual_size)

    def test_qcow2_backed_by_etc_passwd_is_refused_at_stage(self):
        self.stage_refused("passwd.qcow2", "qcow2")

    def test_safe_qcow2_declared_raw_stays_raw(self):
        image_id = self.create_via_import("safe.qcow2", "raw")
        self.assertImportSucceeded(image_id, "raw", self.size_of("safe.qcow2"))

    def test_raw_declared_qcow2_is_refused_at_stage(self):
        self.stage_refused("disk.raw", "qcow2")


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass


class WebDownloadFormatsTest(_FormatsCase):
    """POST /v2/images/{id}/import web-download from a loopback HTTP server:
    `glance image-create-via-import --import-method web-download --uri`, and `glance image-import` again after a
    refusal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        port = int(os.environ.get("INTEROP_HTTP_PORT", "18080"))
        try:
            server = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                     functools.partial(_QuietFiles, directory=cls.image_dir))
        except OSError as e:
            raise AssertionError("cannot serve web-download files on 127.0.0.1:%d (INTEROP_HTTP_PORT): %s"
                                 % (port, e))
        thread = threading.Thread(target=server.serve_forever, name="web-download files", daemon=True)
        thread.start()
        cls.addClassCleanup(server.server_close)
        cls.addClassCleanup(server.shutdown)
        cls.base_url = "http://127.0.0.1:%d/" % port

    def create_via_import(self, file, disk_format):
        out = glance("image-create-via-import", "--import-method", "web-download", "--uri", self.base_url + file,
                     "--disk-format", disk_format, "--container-format", "bare", "--name", unique("fmt-wd"),
                     close_stdin=True).stdout
        image_id = parse_table(out).get("id")
        self.assertTrue(image_id, out)
        return self.track(image_id)

    def test_safe_qcow2_is_active_with_its_virtual_size(self):
        image_id = self.create_via_import("safe.qcow2", "qcow2")
        self.assertImportSucceeded(image_id, "qcow2", self.qcow2_virtual_size)

    def test_qcow2_with_backing_file_fails_the_import_and_the_image_can_be_imported_again(self):
        image_id = self.create_via_import("backing.qcow2", "qcow2")
        self.assertImportRefused(image_id)
        glance("image-import", "--import-method", "web-download", "--uri", self.base_url + "safe.qcow2", image_id,
               close_stdin=True)
        self.assertImportSucceeded(image_id, "qcow2", self.qcow2_virtual_size, tasks=2)

    def test_qcow2_backed_by_etc_passwd_fails_the_import(self):
        self.assertImportRefused(self.create_via_import("passwd.qcow2", "qcow2"))

    def test_safe_qcow2_declared_raw_stays_raw(self):
        image_id = self.create_via_import("safe.qcow2", "raw")
        self.assertImportSucceeded(image_id, "raw", self.size_of("safe.qcow2"))

    def test_raw_declared_qcow2_fails_the_import(self):
        self.assertImportRefused(self.create_via_import("disk.raw", "qcow2"))


class CopyImageFormatsTest(_FormatsCase):
    """POST /v2/images/{id}/import copy-image: `glance image-import --import-method copy-image --stores`. An unsafe
    image cannot be copied (it never became active), so this copies the safe qcow2 and checks it keeps its
    virtual size."""
    expected_seconds = 20  # for the runner's order (runner.py)

    def test_copy_of_safe_qcow2_keeps_its_virtual_size(self):
        known = stores()
        if len(known) < 2:
            raise unittest.SkipTest("copy-image needs two stores; the endpoint has %s" % (known or "one"))
        default, other = known[0], known[1]
        name = unique("fmt-copy")
        image_id = openstack_json("image", "create", "--file", self.images["safe.qcow2"], "--disk-format", "qcow2",
                                  "--container-format", "bare", name)["id"]
        self.track(image_id)
        before = self.assertActive(image_id, "qcow2", self.qcow2_virtual_size)
        self.assertEqual([default], store_list(before.get("stores")))

        glance("image-import", "--import-method", "copy-image", "--stores", other, image_id, close_stdin=True)
        image, task = self.wait_import(image_id)
        self.assertEqual("success", task["status"], "copy-image task %s: %s" % (task["id"], task.get("message")))
        image = wait_for("image %s to be in %s and %s" % (image_id, default, other),
                         lambda: (lambda i: i if sorted(store_list(i.get("stores"))) == sorted([default, other])
                                  and not store_list(i.get("os_glance_importing_to_stores")) else None)(
                             image_json(image_id)))
        self.assertEqual(("active", "qcow2", self.qcow2_virtual_size, before["size"], before["checksum"]),
                         (image["status"], image["disk_format"], image.get("virtual_size"), image["size"],
                          image["checksum"]))
        self.assertFalse(store_list(image.get("os_glance_failed_import")))
