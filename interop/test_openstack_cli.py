"""The `openstack image ...` commands of python3-openstackclient (Debian 6.0.0), as a cloud user runs them.

Each CLI run costs a couple of seconds of Python start-up and a token request, so fixtures that only need to
exist (the images of the listing tests) are made through the SDK, and cleanup goes through the SDK too.
"""
import hashlib

from common import (InteropCase, MiB, delete_quietly, digests, listing_every_image, openstack_cli, openstack_json, sdk,
                    unique)


class _CliCase(InteropCase):

    def create(self, name, *options, file=None):
        # raw: the data is random bytes (or none), which a format-inspecting server refuses as qcow2 (test_formats.py)
        args = ["image", "create", "--disk-format", "raw", "--container-format", "bare"]
        if file:
            args += ["--file", file]
        image = openstack_json(*args, *options, name)
        self.track(image["id"])
        self.assertEqual(name, image["name"])
        return image


class OpenstackCliCreateTest(_CliCase):
    expected_seconds = 60  # for the runner's order (runner.py)

    def test_create_from_file_then_show_and_save_with_checksums(self):
        src = self.random_file(3 * MiB + 17)
        md5, sha512 = digests(src)
        name = unique("cli")
        image = self.create(name, "--property", "os_distro=cirros", "--min-ram", "64", file=src)

        shown = openstack_json("image", "show", image["id"])
        self.assertEqual("active", shown["status"])
        self.assertEqual(3 * MiB + 17, shown["size"])
        self.assertEqual(md5, shown["checksum"])
        self.assertEqual("sha512", shown["properties"]["os_hash_algo"])
        self.assertEqual(sha512, shown["properties"]["os_hash_value"])
        self.assertEqual("cirros", shown["properties"]["os_distro"])
        self.assertEqual(("raw", "bare"), (shown["disk_format"], shown["container_format"]))
        self.assertEqual((0, 64), (shown["min_disk"], shown["min_ram"]))
        self.assertEqual("shared", shown["visibility"])  # Glance's default visibility since Ocata
        self.assertFalse(shown["protected"])
        self.assertEqual("/v2/images/%s/file" % image["id"], shown["file"])

        out = self.path("saved.bin")
        openstack_cli("image", "save", "--file", out, name)  # by name: the CLI resolves it through a list
        self.assertSameFile(src, out)
        self.assertEqual((shown["checksum"], shown["properties"]["os_hash_value"]), digests(out))

    def test_create_without_file_uploads_the_empty_non_tty_stdin(self):
        # openstackclient reads image data from stdin when it is not a terminal (here /dev/null), so the image
        # goes active with zero bytes, as on Glance.
        image = self.create(unique("stdin"))
        shown = openstack_json("image", "show", image["id"])
        self.assertEqual("active", shown["status"])
        self.assertEqual(0, shown["size"])
        self.assertEqual(hashlib.md5(b"").hexdigest(), shown["checksum"])
        self.assertEqual(hashlib.sha512(b"").hexdigest(), shown["properties"]["os_hash_value"])

    def test_protected_image_cannot_be_deleted_until_unprotected(self):
        image = self.create(unique("prot"), "--protected", file=self.random_file(4096))
        self.assertTrue(image["protected"])
        refused = openstack_cli("image", "delete", image["id"], check=False)
        self.assertNotEqual(0, refused.returncode)
        self.assertIn("403", refused.stderr)  # Glance: 403 "Image ... is protected and cannot be deleted."
        self.assertEqual("active", sdk().image.get_image(image["id"]).status)

        openstack_cli("image", "set", "--unprotected", image["id"])
        openstack_cli("image", "delete", image["id"])
        missing = openstack_cli("image", "show", image["id"], check=False)
        self.assertNotEqual(0, missing.returncode)
        self.assertIsNone(sdk().image.find_image(image["id"]))


class OpenstackCliUpdateTest(_CliCase):
    expected_seconds = 70  # for the runner's order (runner.py)

    def test_set_and_unset_properties_tags_and_attributes(self):
        image = self.create(unique("set"), file=self.random_file(64 * 1024))
        new_name = unique("renamed")
        openstack_cli("image", "set", "--property", "hw_disk_bus=virtio", "--property", "extra=1",
                      "--tag", "blue", "--tag", "green", "--min-disk", "1", "--min-ram", "256",
                      "--private", "--name", new_name, image["id"])
        shown = openstack_json("image", "show", new_name)
        self.assertEqual(image["id"], shown["id"])
        self.assertEqual((1, 256), (shown["min_disk"], shown["min_ram"]))
        self.assertEqual("private", shown["visibility"])
        self.assertEqual("virtio", shown["properties"]["hw_disk_bus"])
        self.assertEqual("1", shown["properties"]["extra"])
        self.assertEqual({"blue", "green"}, set(shown["tags"]))

        openstack_cli("image", "unset", "--property", "extra", "--tag", "blue", image["id"])
        shown = openstack_json("image", "show", image["id"])
        self.assertNotIn("extra", shown["properties"])
        self.assertEqual("virtio", shown["properties"]["hw_disk_bus"])
        self.assertEqual(["green"], shown["tags"])
        self.assertEqual("active", shown["status"])

    def test_deactivate_and_reactivate_as_admin(self):
        image = self.create(unique("deact"), file=self.random_file(4096))
        openstack_cli("image", "set", "--deactivate", image["id"])
        self.assertEqual("deactivated", openstack_json("image", "show", image["id"])["status"])
        openstack_cli("image", "set", "--activate", image["id"])
        self.assertEqual("active", openstack_json("image", "show", image["id"])["status"])


class OpenstackCliListTest(InteropCase):
    """`image list` over 55 images of one tag: more than two pages at Glance's default page size (25), which
    the CLI walks by following the `next` links."""
    expected_seconds = 45  # for the runner's order (runner.py)

    COUNT = 55

    @classmethod
    def setUpClass(cls):
        conn = sdk()
        cls.tag = unique("list")
        cls.ids = []
        try:
            for i in range(cls.COUNT):
                small = i % 5 == 0
                props = {"batch": cls.tag, "flavor": "small" if small else "large"}
                data = (b"%d" % i) * 1000 if i < 3 else None  # three active images for the status filter
                # images with data are raw: that data is no qcow2, and a format-inspecting server refuses a mismatch
                image = conn.image.create_image(
                    name="%s-%02d" % (cls.tag, i), disk_format="raw" if small or data else "qcow2",
                    container_format="bare", data=data, tags=[cls.tag], allow_duplicates=True, **props)
                cls.ids.append(image.id)
            cls.active = set(cls.ids[:3])
        except Exception:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for image_id in cls.ids:
            delete_quietly(image_id)

    def listed_ids(self, *args):
        return [row["ID"] for row in openstack_json("image", "list", *args)]

    def test_list_without_filters_follows_next_links_to_every_image(self):
        listed = listing_every_image(self.listed_ids)
        self.assertLessEqual(set(self.ids), set(listed))
        self.assertEqual(len(listed), len(set(listed)), "an image listed twice")

    def test_list_by_tag_is_exactly_the_tagged_images(self):
        listed = self.listed_ids("--tag", self.tag)
        self.assertCountEqual(self.ids, listed)

    def test_list_by_name(self):
        rows = openstack_json("image", "list", "--name", "%s-07" % self.tag)
        self.assertEqual([(self.ids[7], "%s-07" % self.tag, "queued")],
                         [(r["ID"], r["Name"], r["Status"]) for r in rows])

    def test_list_by_status(self):
        self.assertCountEqual(self.active, self.listed_ids("--tag", self.tag, "--status", "active"))

    def test_list_by_property_long(self):
        rows = openstack_json("image", "list", "--property", "flavor=small", "--tag", self.tag, "--long")
        self.assertCountEqual(self.ids[::5], [r["ID"] for r in rows])
        for row in rows:
            self.assertEqual(("raw", "bare"), (row["Disk Format"], row["Container Format"]))
            self.assertEqual([self.tag], row["Tags"])
            self.assertIn(row["Status"], ("queued", "active"))
            self.assertIn("Project", row)
            self.assertIn("Checksum", row)

    def test_limit_and_marker_page_by_hand(self):
        # With --limit the CLI asks for one page only; --marker continues after the given image, in the server's
        # order (created_at desc, id desc by default), which the SDK's own listing gives.
        server_order = [i.id for i in sdk().image.images(tag=self.tag)]
        self.assertCountEqual(self.ids, server_order)
        self.assertCountEqual(server_order[:7], self.listed_ids("--tag", self.tag, "--limit", "7"))
        self.assertCountEqual(server_order[7:14],
                              self.listed_ids("--tag", self.tag, "--limit", "7", "--marker", server_order[6]))
