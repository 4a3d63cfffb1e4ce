"""openstacksdk, as Ansible, Terraform wrappers and scripts use it."""
import hashlib
import os

import openstack

from common import InteropCase, unique


class OpenstackSdkTest(InteropCase):

    def setUp(self):
        super().setUp()
        self.conn = openstack.connect()

    def test_create_upload_download_update_delete(self):
        data = os.urandom(2 * 1024 * 1024 + 5)
        image = self.conn.image.create_image(name=unique("sdk"), data=data, disk_format="raw",
                                             container_format="bare", validate_checksum=True)
        self.created.append(image.id)
        image = self.conn.image.get_image(image.id)
        self.assertEqual("active", image.status)
        self.assertEqual(hashlib.md5(data).hexdigest(), image.checksum)
        self.assertEqual(hashlib.sha512(data).hexdigest(), image.hash_value)

        streamed = self.conn.image.download_image(image, stream=True)
        got = b"".join(streamed.iter_content(chunk_size=1 << 20))
        self.assertEqual(data, got)
        whole = self.conn.image.download_image(image)
        self.assertEqual(data, getattr(whole, "content", whole))

        self.conn.image.update_image(image, min_ram=512, os_distro="fedora")
        image = self.conn.image.get_image(image.id)
        self.assertEqual(512, image.min_ram)
        self.assertEqual("fedora", image.properties.get("os_distro", getattr(image, "os_distro", None)))

        self.conn.image.delete_image(image)
        self.created.remove(image.id)
        self.assertIsNone(self.conn.image.find_image(image.id))

    def test_paginated_listing_returns_every_image(self):
        tag = unique("sdkpage")
        ids = set()
        for i in range(12):
            image = self.conn.image.create_image(name="%s-%d" % (tag, i), disk_format="raw", container_format="bare",
                                                 tags=[tag], allow_duplicates=True)
            self.created.append(image.id)
            ids.add(image.id)
        listed = {i.id for i in self.conn.image.images(tag=tag, limit=5)}
        self.assertEqual(ids, listed)
