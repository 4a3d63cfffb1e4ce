"""Helpers of the interop suite: the real clients as a user runs them, random files, cleanup.

Everything about the endpoint comes from the OS_* environment (or OS_CLOUD), exactly as for the clients
themselves, so the suite runs against any Glance v2 endpoint: Glint, or the real Glance for comparison.
"""
import filecmp
import functools
import hashlib
import json
import os
import subprocess
import tempfile
import unittest
import uuid

import openstack

# Debian's clients need Debian's python3: keep a pyenv or virtualenv python3 off PATH for the subprocesses.
CLI_ENV = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin")
CLI_TIMEOUT = int(os.environ.get("INTEROP_CLI_TIMEOUT", "300"))
MiB = 1024 * 1024


def run(*args, check=True):
    """Runs a command line; returns the CompletedProcess (text). With check, a non-zero exit fails the test.

    stdin is /dev/null: deterministic whatever the suite's own stdin is. Note that `openstack image create`
    without --file then uploads the (empty) stdin, as it does for any non-tty stdin.
    """
    p = subprocess.run(list(args), env=CLI_ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=CLI_TIMEOUT)
    if check and p.returncode != 0:
        raise AssertionError("`%s` exited with %d\n--- stdout\n%s--- stderr\n%s"
                             % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def openstack_cli(*args, check=True):
    return run("openstack", *args, check=check)


def openstack_json(*args):
    return json.loads(openstack_cli(*args, "-f", "json").stdout)


def glance(*args, check=True):
    return run("glance", "--os-image-api-version", "2", *args, check=check)


def parse_table(output):
    """A glanceclient `| Property | Value |` table as a dict (values stripped; multi-line values joined)."""
    rows, key = {}, None
    for line in output.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or cells == ["Property", "Value"]:
            continue
        if cells[0]:
            key = cells[0]
            rows[key] = cells[1]
        elif key:
            rows[key] += cells[1]
    return rows


@functools.lru_cache(maxsize=None)
def sdk():
    """One openstacksdk connection per process, from the same OS_* environment the CLIs use."""
    return openstack.connect(app_name="glint-interop", api_timeout=CLI_TIMEOUT)


def unique(prefix):
    return "interop-%s-%s" % (prefix, uuid.uuid4().hex[:10])


def digests(path):
    """(md5, sha512) hex digests of a file: Glance's `checksum` and `os_hash_value` (os_hash_algo sha512)."""
    md5, sha512 = hashlib.md5(), hashlib.sha512()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            md5.update(block)
            sha512.update(block)
    return md5.hexdigest(), sha512.hexdigest()


def delete_quietly(image_id):
    """Best-effort cleanup through the SDK (fast: no CLI start-up), unprotecting first."""
    conn = sdk()
    try:
        image = conn.image.find_image(image_id)
        if image is None:
            return
        if image.is_protected:
            conn.image.update_image(image, is_protected=False)
        conn.image.delete_image(image, ignore_missing=True)
    except Exception as e:  # noqa: BLE001 - cleanup must not hide the test's own outcome
        print("interop cleanup: could not delete image %s: %s" % (image_id, e))


class InteropCase(unittest.TestCase):
    """A temp dir per test; images passed to self.track() are deleted after the test, pass or fail."""

    maxDiff = None

    def setUp(self):
        tmp = tempfile.TemporaryDirectory(prefix="glint-interop-")
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name

    def track(self, image_id):
        self.addCleanup(delete_quietly, image_id)
        return image_id

    def path(self, name):
        return os.path.join(self.tmp, name)

    def random_file(self, size, name="image.bin"):
        path = self.path(name)
        with open(path, "wb") as f:
            remaining = size
            while remaining:
                chunk = os.urandom(min(remaining, MiB))
                f.write(chunk)
                remaining -= len(chunk)
        return path

    def assertSameFile(self, expected, actual):
        """Same size, same bytes, and so the same MD5 and SHA-512."""
        self.assertEqual(os.path.getsize(expected), os.path.getsize(actual), "size of %s" % actual)
        self.assertTrue(filecmp.cmp(expected, actual, shallow=False), "%s differs from %s" % (actual, expected))
