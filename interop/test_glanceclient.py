"""The `glance` CLI of python3-glanceclient (Debian 4.1.0) with --os-image-api-version 2.

glanceclient builds its options from GET /v2/schemas/image, uploads with chunked transfer encoding, and checks
the MD5 of what it downloads against the image's checksum.
"""
from common import InteropCase, MiB, digests, glance, parse_table, sdk, unique


class GlanceClientTest(InteropCase):
    expected_seconds = 60  # for the runner's order (runner.py)

    def create(self, src, name, *options):
        out = glance("image-create", "--file", src, "--disk-format", "raw", "--container-format", "bare",
                     "--name", name, *options).stdout
        image = parse_table(out)
        self.assertIn("id", image, out)
        self.track(image["id"])
        return image

    def test_create_download_list_update_tag_delete(self):
        src = self.random_file(4 * MiB + 3)
        md5, sha512 = digests(src)
        name = unique("gc")
        image = self.create(src, name, "--progress")
        self.assertEqual(name, image["name"])
        self.assertEqual("active", image["status"])
        self.assertEqual(str(4 * MiB + 3), image["size"])
        self.assertEqual(md5, image["checksum"])
        self.assertEqual(sha512, image["os_hash_value"])
        image_id = image["id"]

        dest = self.path("downloaded.bin")
        glance("image-download", "--file", dest, image_id)
        self.assertSameFile(src, dest)

        self.assertIn(image_id, glance("image-list").stdout)

        updated = parse_table(glance("image-update", "--property", "os_distro=debian", "--min-ram", "128",
                                     "--name", name + "-2", image_id).stdout)
        self.assertEqual(("debian", "128", name + "-2"),
                         (updated["os_distro"], updated["min_ram"], updated["name"]))

        glance("image-tag-update", image_id, "green")
        listed = glance("image-list", "--tag", "green", "--property-filter", "os_distro=debian").stdout
        self.assertIn(image_id, listed)
        glance("image-tag-delete", image_id, "green")
        self.assertEqual([], sdk().image.get_image(image_id).tags)

        glance("image-delete", image_id)
        self.assertIsNone(sdk().image.find_image(image_id))
        self.assertNotEqual(0, glance("image-show", image_id, check=False).returncode)

    def test_large_image_streams_both_ways(self):
        # ~50 MiB: uploaded in chunks by glanceclient, read back in a stream by the CLI and by the SDK.
        src = self.random_file(50 * MiB + 1)
        md5, sha512 = digests(src)
        image = self.create(src, unique("big"))
        self.assertEqual(("active", str(50 * MiB + 1), md5, sha512),
                         (image["status"], image["size"], image["checksum"], image["os_hash_value"]))

        dest = self.path("big-downloaded.bin")
        glance("image-download", "--file", dest, image["id"])
        self.assertSameFile(src, dest)

        response = sdk().image.download_image(image["id"], stream=True)
        with open(self.path("big-sdk.bin"), "wb") as f:
            for chunk in response.iter_content(chunk_size=MiB):
                f.write(chunk)
        self.assertSameFile(src, self.path("big-sdk.bin"))

    def test_options_come_from_the_image_schema(self):
        # glanceclient validates --disk-format against the enum in /v2/schemas/image before sending anything
        name = unique("badfmt")
        refused = glance("image-create", "--disk-format", "floppy", "--container-format", "bare", "--name", name,
                         check=False)
        self.assertNotEqual(0, refused.returncode)
        self.assertIn("floppy", refused.stdout + refused.stderr)
        self.assertEqual([], list(sdk().image.images(name=name)))
