"""Helpers for the interop suite: the real CLIs as subprocesses, random files, cleanup."""
import hashlib
import json
import os
import subprocess
import tempfile
import unittest
import uuid

CLI_ENV = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin")


def run(*args, check=True):
    """Runs a CLI command; returns stdout. Fails the test with stderr when the command fails."""
    p = subprocess.run(list(args), env=CLI_ENV, capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d):\n%s\n%s" % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def openstack(*args, check=True):
    return run("openstack", *args, check=check)


def openstack_json(*args):
    return json.loads(openstack(*args, "-f", "json").stdout)


def glance(*args, check=True):
    return run("glance", "--os-image-api-version", "2", *args, check=check)


def unique(prefix):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:10])


def digests(path):
    md5, sha512 = hashlib.md5(), hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            md5.update(block)
            sha512.update(block)
    return md5.hexdigest(), sha512.hexdigest()


class InteropCase(unittest.TestCase):
    """Creates a temp dir and deletes the images a test registered with self.created."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.created = []

    def tearDown(self):
        # cleanup in-process through openstacksdk: one CLI process per image would dominate the suite's run time
        import openstack as sdk
        conn = sdk.connect()
        for image_id in self.created:
            image = conn.image.find_image(image_id)
            if image is None:
                continue
            if image.is_protected:
                conn.image.update_image(image, protected=False)
            conn.image.delete_image(image, ignore_missing=True)
        self.tmp.cleanup()

    def random_file(self, size, name="image.bin"):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            remaining = size
            while remaining:
                chunk = os.urandom(min(remaining, 1 << 20))
                f.write(chunk)
                remaining -= len(chunk)
        return path

    def path(self, name):
        return os.path.join(self.tmp.name, name)
