"""The `openstack image ...` workflow of a cloud user, with the real python3-openstackclient."""
import filecmp

import openstack as openstack_sdk

from common import InteropCase, digests, openstack, openstack_json, unique


class OpenstackCliTest(InteropCase):

    def create(self, name, *extra, file=None):
        args = ["image", "create", "--disk-format", "qcow2", "--container-format", "bare"]
        if file:
            args += ["--file", file]
        image = openstack_json(*args, *extra, name)
        self.created.append(image["id"])
        return image

    def test_create_show_save_roundtrip_with_checksums(self):
        src = self.random_file(3 * 1024 * 1024 + 17)
        name = unique("cli")
        image = self.create(name, "--property", "os_distro=cirros", file=src)
        shown = openstack_json("image", "show", image["id"])
        self.assertEqual("active", shown["status"])
        md5, sha512 = digests(src)
        self.assertEqual(md5, shown["checksum"])
        self.assertEqual(3 * 1024 * 1024 + 17, shown["size"])
        self.assertEqual("qcow2", shown["disk_format"])
        props = shown.get("properties", {})
        self.assertEqual("cirros", props.get("os_distro"))
        self.assertEqual("sha512", props.get("os_hash_algo", shown.get("os_hash_algo")))
        self.assertEqual(sha512, props.get("os_hash_value", shown.get("os_hash_value")))
        out = self.path("saved.bin")
        openstack("image", "save", "--file", out, image["id"])
        self.assertTrue(filecmp.cmp(src, out, shallow=False))
        by_name = openstack_json("image", "show", name)
        self.assertEqual(image["id"], by_name["id"])

    def test_list_filters_and_pages_past_several_pages(self):
        tag = unique("tag")
        ids = set()
        # made through the SDK (one process) to keep the test short; listed through the CLI below
        conn = openstack_sdk.connect()
        for i in range(60):
            image = conn.image.create_image(name="%s-%02d" % (tag, i), tags=[tag], batch=tag,
                                            disk_format="raw" if i % 4 == 0 else "qcow2", container_format="bare",
                                            allow_duplicates=True)
            self.created.append(image.id)
            ids.add(image.id)
        # 60 images are three pages at Glance's default page size of 25: the CLI must follow `next` links
        listed = openstack_json("image", "list", "--tag", tag)
        self.assertEqual(ids, {i["ID"] for i in listed})
        page = openstack_json("image", "list", "--tag", tag, "--limit", "7")
        self.assertEqual(7, len(page))
        by_prop = openstack_json("image", "list", "--property", "batch=" + tag)
        self.assertEqual(ids, {i["ID"] for i in by_prop})
        raw = openstack_json("image", "list", "--tag", tag, "--property", "disk_format=raw", "--long")
        self.assertEqual(15, len(raw))
        self.assertTrue(all(i["Disk Format"] == "raw" for i in raw))
        named = openstack_json("image", "list", "--name", "%s-07" % tag)
        self.assertEqual(1, len(named))
        queued = openstack_json("image", "list", "--tag", tag, "--status", "queued")
        self.assertEqual(60, len(queued))
        active = openstack_json("image", "list", "--tag", tag, "--status", "active")
        self.assertEqual([], active)

    def test_set_and_unset_properties_tags_and_attributes(self):
        image = self.create(unique("set"))
        new_name = unique("renamed")
        openstack("image", "set", "--property", "hw_disk_bus=virtio", "--property", "extra=1",
                  "--tag", "blue", "--min-disk", "1", "--min-ram", "256", "--name", new_name, image["id"])
        shown = openstack_json("image", "show", image["id"])
        self.assertEqual(new_name, shown["name"])
        self.assertEqual(1, shown["min_disk"])
        self.assertEqual(256, shown["min_ram"])
        self.assertEqual("virtio", shown["properties"]["hw_disk_bus"])
        self.assertIn("blue", shown["tags"])
        openstack("image", "unset", "--property", "extra", "--tag", "blue", image["id"])
        shown = openstack_json("image", "show", image["id"])
        self.assertNotIn("extra", shown["properties"])
        self.assertNotIn("blue", shown["tags"])

    def test_deactivate_and_reactivate_as_admin(self):
        image = self.create(unique("deact"), file=self.random_file(4096))
        openstack("image", "set", "--deactivate", image["id"])
        self.assertEqual("deactivated", openstack_json("image", "show", image["id"])["status"])
        openstack("image", "set", "--activate", image["id"])
        self.assertEqual("active", openstack_json("image", "show", image["id"])["status"])

    def test_protected_images_cannot_be_deleted_until_unprotected(self):
        image = self.create(unique("prot"), "--protected")
        p = openstack("image", "delete", image["id"], check=False)
        self.assertNotEqual(0, p.returncode)
        self.assertTrue(openstack_json("image", "show", image["id"])["protected"])
        openstack("image", "set", "--unprotected", image["id"])
        openstack("image", "delete", image["id"])
        self.created.remove(image["id"])
        p = openstack("image", "show", image["id"], check=False)
        self.assertNotEqual(0, p.returncode)
