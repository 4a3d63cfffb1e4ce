"""python-glanceclient's CLI, which builds its arguments from /v2/schemas/image and verifies downloads."""
import filecmp
import json

from common import InteropCase, digests, glance, unique


class GlanceClientTest(InteropCase):

    def test_image_create_with_progress_download_update_tag_delete(self):
        src = self.random_file(5 * 1024 * 1024 + 3)
        name = unique("gc")
        out = glance("image-create", "--file", src, "--disk-format", "raw", "--container-format", "bare",
                     "--name", name, "--progress").stdout
        image_id = next(line.split("|")[2].strip() for line in out.splitlines()
                        if line.startswith("|") and line.split("|")[1].strip() == "id")
        self.created.append(image_id)
        md5, _ = digests(src)
        self.assertIn(md5, out)
        self.assertIn("active", out)

        dest = self.path("downloaded.bin")
        glance("image-download", "--file", dest, image_id)
        self.assertTrue(filecmp.cmp(src, dest, shallow=False))

        self.assertIn(image_id, glance("image-list").stdout)
        glance("image-update", "--property", "os_distro=debian", "--min-ram", "128", image_id)
        glance("image-tag-update", image_id, "green")
        shown = glance("image-show", image_id).stdout
        self.assertIn("debian", shown)
        self.assertIn("green", shown)
        glance("image-tag-delete", image_id, "green")
        self.assertNotIn("green", glance("image-show", image_id).stdout)

        glance("image-delete", image_id)
        self.created.remove(image_id)
        self.assertNotEqual(0, glance("image-show", image_id, check=False).returncode)

    def test_schema_driven_arguments(self):
        # glanceclient reads /v2/schemas/image; an enum it rejects locally proves it loaded the schema
        p = glance("image-create", "--disk-format", "floppy", "--container-format", "bare", "--name", unique("bad"),
                   check=False)
        self.assertNotEqual(0, p.returncode)
        self.assertIn("floppy", p.stderr + p.stdout)
