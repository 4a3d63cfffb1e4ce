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
import time
import unittest
import uuid

import openstack

# Debian's clients need Debian's python3: keep a pyenv or virtualenv python3 off PATH for the subprocesses.
CLI_ENV = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin")
CLI_TIMEOUT = int(os.environ.get("INTEROP_CLI_TIMEOUT", "300"))
MiB = 1024 * 1024


def run(*args, check=True, close_stdin=False):
    """Runs a command line; returns the CompletedProcess (text). With check, a non-zero exit fails the test.

    stdin is /dev/null: deterministic whatever the suite's own stdin is. Note that `openstack image create`
    without --file then uploads the (empty) stdin, as it does for any non-tty stdin. close_stdin runs the command
    with stdin closed instead (`<&-`, as from cron): glanceclient's import commands refuse --file (or --uri)
    together with a non-tty stdin ("You cannot use both --file and stdin"), and take a closed one for none.
    """
    argv = list(args)
    if close_stdin:
        argv = ["/bin/sh", "-c", 'exec "$@" <&-', "sh"] + argv
    p = subprocess.run(argv, env=CLI_ENV, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=CLI_TIMEOUT)
    if check and p.returncode != 0:
        raise AssertionError("`%s` exited with %d\n--- stdout\n%s--- stderr\n%s"
                             % (" ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def openstack_cli(*args, check=True):
    return run("openstack", *args, check=check)


def openstack_json(*args):
    return json.loads(openstack_cli(*args, "-f", "json").stdout)


def glance(*args, check=True, close_stdin=False):
    return run("glance", "--os-image-api-version", "2", *args, check=check, close_stdin=close_stdin)


def wait_for(what, probe, timeout=None, seen=None):
    """Calls probe() until it returns a true value, and returns that value: a bounded poll with back-off (0.1 s,
    doubling up to 2 s). Fails the test after `timeout` seconds (INTEROP_WAIT_TIMEOUT, default 120) with the
    last value probe() returned, or what seen() returns then."""
    timeout = timeout if timeout is not None else int(os.environ.get("INTEROP_WAIT_TIMEOUT", "120"))
    deadline = time.monotonic() + timeout
    delay = 0.1
    while True:
        value = probe()
        if value:
            return value
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("gave up after %d s waiting for %s (last seen: %r)"
                                 % (timeout, what, seen() if seen else value))
        time.sleep(min(delay, left))
        delay = min(delay * 2, 2.0)


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


def listing_every_image(list_ids, attempts=3):
    """Runs list_ids() (a listing of every image of the project, page after page) until it gets through. Other test
    classes delete their images meanwhile; when the image that ended a page goes before the next page is asked for,
    its marker is unknown and the server answers 400 "No image found with ID …" (Glance too): then list again."""
    for attempt in range(attempts):
        try:
            return list_ids()
        except Exception as e:  # noqa: BLE001 - the SDK's BadRequestException, or a CLI's AssertionError from run()
            if "No image found with ID" not in str(e) or attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


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
        """Random bytes that are `raw` to a format inspector: random data ends its first sector with the MBR
        signature 55 AA once in 65536 files, and would then be inspected as an MBR/GPT disk (and refused by its
        safety checks)."""
        path = self.path(name)
        with open(path, "wb") as f:
            remaining = size
            first = True
            while remaining:
                chunk = os.urandom(min(remaining, MiB))
                if first and len(chunk) >= 512 and chunk[510:512] == b"\x55\xaa":
                    chunk = chunk[:511] + b"\x00" + chunk[512:]
                first = False
                f.write(chunk)
                remaining -= len(chunk)
        return path

    def assertSameFile(self, expected, actual):
        """Same size, same bytes, and so the same MD5 and SHA-512."""
        self.assertEqual(os.path.getsize(expected), os.path.getsize(actual), "size of %s" % actual)
        self.assertTrue(filecmp.cmp(expected, actual, shallow=False), "%s differs from %s" % (actual, expected))
