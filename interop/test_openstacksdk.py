"""openstacksdk (Debian 0.101.0), as Ansible modules, scripts and the openstack CLI itself use it."""
import hashlib
import os

import openstack.exceptions

from common import InteropCase, MiB, digests, listing_every_image, sdk, unique


class OpenstackSdkTest(InteropCase):

    def setUp(self):
        super().setUp()
        self.conn = sdk()

    def test_proxy_create_upload_download_update_delete(self):
        data = os.urandom(2 * MiB + 5)
        name = unique("sdk")
        image = self.conn.image.create_image(name=name, data=data, disk_format="raw", container_format="bare",
                                             validate_checksum=True)
        self.track(image.id)
        image = self.conn.image.get_image(image.id)
        self.assertEqual((name, "active", len(data)), (image.name, image.status, image.size))
        self.assertEqual(hashlib.md5(data).hexdigest(), image.checksum)
        self.assertEqual(("sha512", hashlib.sha512(data).hexdigest()), (image.hash_algo, image.hash_value))

        streamed = self.conn.image.download_image(image, stream=True)
        self.assertEqual(data, b"".join(streamed.iter_content(chunk_size=64 * 1024)))
        # sdk 0.101 returns the requests.Response (after checking its MD5) where later versions return bytes
        whole = self.conn.image.download_image(image)
        self.assertEqual(data, getattr(whole, "content", whole))
        self.conn.image.download_image(image, output=self.path("out.bin"))
        with open(self.path("out.bin"), "rb") as f:
            self.assertEqual(data, f.read())

        self.conn.image.update_image(image, min_ram=512, min_disk=2, os_distro="fedora")
        self.conn.image.add_tag(image, "sdk-tag")
        image = self.conn.image.get_image(image.id)
        self.assertEqual((512, 2), (image.min_ram, image.min_disk))
        self.assertEqual("fedora", image.os_distro)
        self.assertEqual(["sdk-tag"], image.tags)
        self.conn.image.remove_tag(image, "sdk-tag")
        self.assertEqual([], self.conn.image.get_image(image.id).tags)

        self.conn.image.delete_image(image, ignore_missing=False)
        self.assertIsNone(self.conn.image.find_image(image.id))
        with self.assertRaises(openstack.exceptions.ResourceNotFound):
            self.conn.image.get_image(image.id)

    def test_cloud_layer_create_image_from_file(self):
        # conn.create_image(filename=...) is what Ansible's os_image uses: it hashes the file itself and records
        # the hashes as owner_specified.openstack.* properties, then uploads.
        src = self.random_file(3 * MiB + 1, name="disk.raw")
        md5, sha512 = digests(src)
        name = unique("cloud")
        image = self.conn.create_image(name, filename=src, disk_format="raw", container_format="bare",
                                       wait=True, validate_checksum=True)
        self.track(image.id)
        image = self.conn.get_image(name)
        self.assertEqual(("active", md5), (image.status, image.checksum))
        self.assertEqual(sha512, image.hash_value)
        self.assertEqual(md5, image.properties["owner_specified.openstack.md5"])
        with open(src, "rb") as f:
            self.assertEqual(hashlib.sha256(f.read()).hexdigest(),
                             image.properties["owner_specified.openstack.sha256"])
        self.assertTrue(self.conn.delete_image(name, wait=True))
        self.assertIsNone(self.conn.get_image(name))

    def test_paginated_listing_returns_every_image(self):
        tag = unique("sdkpage")
        ids = set()
        for i in range(12):
            image = self.conn.image.create_image(name="%s-%d" % (tag, i), disk_format="raw",
                                                 container_format="bare", tags=[tag], allow_duplicates=True)
            ids.add(self.track(image.id))
        # limit is the page size; the generator follows `next` links (3 pages here)
        self.assertCountEqual(ids, [i.id for i in self.conn.image.images(tag=tag, limit=5)])
        self.assertLessEqual(ids, set(listing_every_image(lambda: [i.id for i in self.conn.image.images(limit=5)])))
        self.assertCountEqual(ids, [i.id for i in self.conn.image.images(tag=tag, status="queued")])
        self.assertEqual([], list(self.conn.image.images(tag=tag, status="active")))

    def test_deactivate_reactivate_and_protect(self):
        image = self.conn.image.create_image(name=unique("sdkstate"), data=b"x" * 4096, disk_format="raw",
                                             container_format="bare")
        self.track(image.id)
        self.conn.image.deactivate_image(image)
        self.assertEqual("deactivated", self.conn.image.get_image(image.id).status)
        self.conn.image.reactivate_image(image)
        self.assertEqual("active", self.conn.image.get_image(image.id).status)

        self.conn.image.update_image(image, is_protected=True)
        with self.assertRaises(openstack.exceptions.HttpException) as refused:
            self.conn.image.delete_image(image)
        self.assertEqual(403, refused.exception.status_code)
        self.conn.image.update_image(image, is_protected=False)
        self.conn.image.delete_image(image, ignore_missing=False)
