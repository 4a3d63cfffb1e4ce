"""The checks of ./test's Nova stage: a real Nova boots servers from images it downloads from the image service.

Run by scripts/nova-glint.sh with Debian's /usr/bin/python3 and the OS_* environment of Keystone's admin; the
catalog names the image service under test (Glint) and scripts/nova.sh's Nova as compute. Nothing here is specific
to Glint: against the real Glance the same checks show what Glance does.
  /usr/bin/python3 scripts/nova-checks.py WORK_DIR
One line per check, failures explained, then "N passed, N failed". Everything created (flavors, servers, images) is
deleted at the end, pass or fail. A check waits by polling the state it waits for, with a deadline
(NOVA_CHECK_TIMEOUT, 300 s).
  1. boot: a server from a qcow2 uploaded to the image service becomes ACTIVE (Nova downloads the image).
  2. flavor too small: a 1 GiB flavor for a qcow2 of 2 GiB virtual size (a file of a few hundred KiB) is refused by
     Nova with FlavorDiskSmallerThanImage, and the image service reports virtual_size = 2 GiB for the image.
     Nova Zed refuses by itself either way: its API compares the flavor with `size` (the file) only, and the
     compute with the virtual size qemu-img reads from the downloaded file; it never reads Glance's virtual_size.
     The second half is the image service's own part: Glance sets virtual_size on upload (format inspector).
  3. snapshot: `openstack server image create` of the server of check 1 comes back as an active qcow2 image whose
     data (downloaded again) is a qcow2 of 2 GiB virtual size with the MD5 `checksum` the record gives; when the
     image service sets virtual_size on uploads (check 2), the snapshot's virtual_size must be 2 GiB too.
"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
import traceback
import uuid

import openstack

GiB = 1024 ** 3
TIMEOUT = int(os.environ.get("NOVA_CHECK_TIMEOUT", "300"))
# Debian's clients need Debian's python3; --nic none needs compute API 2.37 or later
CLI_ENV = dict(os.environ, PATH="/usr/sbin:/usr/bin:/sbin:/bin", OS_COMPUTE_API_VERSION="2.79")
TOO_SMALL = "Flavor's disk is too small for requested image"


class CheckFailed(Exception):
    pass


def cli(*args):
    """`openstack ARGS -f json` as a user runs it; returns (exit code, parsed stdout or None, stderr)."""
    p = subprocess.run(["openstack", *args, "-f", "json"], env=CLI_ENV, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=TIMEOUT)
    try:
        out = json.loads(p.stdout) if p.returncode == 0 else None
    except ValueError:
        out = None
    return p.returncode, out, p.stderr.strip()


def poll(what, fetch, done, timeout=TIMEOUT, interval=1.0):
    """fetch() until done(value); a CheckFailed naming the last value when the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if done(value):
            return value
        if time.monotonic() > deadline:
            raise CheckFailed("%s: still not there after %d s (last seen: %s)" % (what, timeout, value))
        time.sleep(interval)


def md5_of(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def qemu_img_info(path):
    return json.loads(subprocess.run(["qemu-img", "info", "--output", "json", path], check=True,
                                     capture_output=True, text=True).stdout)


class NovaChecks:
    def __init__(self, work):
        self.work = work
        self.tag = "glint-nova-" + uuid.uuid4().hex[:8]
        self.conn = openstack.connect(app_name="glint-nova-checks", api_timeout=TIMEOUT)
        self.servers, self.images, self.flavors = [], [], []
        self.image = None
        self.server = None
        self.passed = self.failed = 0

    # ---- helpers
    def server_state(self, server_id):
        # the raw body: openstacksdk 0.101's Server has no `fault`
        response = self.conn.compute.get("/servers/%s" % server_id, microversion="2.79")
        response.raise_for_status()
        body = response.json()["server"]
        return body["status"], (body.get("fault") or {}).get("message", "")

    def create_server(self, name, flavor):
        """`openstack server create`; returns (server id or None, CLI error text)."""
        rc, out, err = cli("server", "create", "--image", self.image.id, "--flavor", flavor.id, "--nic", "none", name)
        if rc != 0:
            return None, err
        self.servers.append(out["id"])
        return out["id"], ""

    def wait_server(self, server_id):
        return poll("server %s to leave BUILD" % server_id, lambda: self.server_state(server_id),
                    lambda st: st[0] in ("ACTIVE", "ERROR"))

    # ---- the checks
    def check_boot(self):
        qcow2 = os.path.join(self.work, "disk-2g.qcow2")
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", qcow2, "2G"], check=True)
        with open(qcow2, "rb") as f:
            self.image = self.conn.image.create_image(name=self.tag + "-boot", data=f.read(), disk_format="qcow2",
                                                      container_format="bare")
        self.images.append(self.image.id)
        self.image = poll("image %s to become active" % self.image.id, lambda: self.conn.image.get_image(self.image.id),
                          lambda i: i.status in ("active", "killed", "deleted"))
        if self.image.status != "active":
            raise CheckFailed("the uploaded qcow2 is %s, not active" % self.image.status)
        flavor = self.conn.compute.create_flavor(name=self.tag + "-disk2", ram=64, vcpus=1, disk=2)
        self.flavors.append(flavor.id)
        server_id, err = self.create_server(self.tag + "-boot", flavor)
        if not server_id:
            raise CheckFailed("`openstack server create` failed: %s" % err)
        status, fault = self.wait_server(server_id)
        if status != "ACTIVE":
            raise CheckFailed("server %s is %s, not ACTIVE: %s" % (server_id, status, fault or "(no fault message)"))
        self.server = server_id
        return "server %s ACTIVE from image %s (qcow2, %d bytes, 2 GiB virtual), flavor disk 2 GiB" % (
            server_id, self.image.id, self.image.size)

    def check_flavor_too_small(self):
        if self.image is None:
            raise CheckFailed("no image (check 1 failed before uploading it)")
        flavor = self.conn.compute.create_flavor(name=self.tag + "-disk1", ram=64, vcpus=1, disk=1)
        self.flavors.append(flavor.id)
        server_id, err = self.create_server(self.tag + "-too-small", flavor)
        if server_id:
            status, fault = self.wait_server(server_id)
            if status != "ERROR" or TOO_SMALL not in fault:
                raise CheckFailed("Nova did not refuse a 1 GiB flavor for an image of 2 GiB virtual size: server %s "
                                  "is %s (fault: %s)" % (server_id, status, fault or "none"))
            refusal = "server ERROR at the compute after download: %s" % fault
        elif TOO_SMALL in err:
            refusal = "refused by the compute API: %s" % err
        else:
            raise CheckFailed("`openstack server create` failed, but not with %r: %s" % (TOO_SMALL, err))
        virtual_size = self.conn.image.get_image(self.image.id).virtual_size
        if virtual_size != 2 * GiB:
            raise CheckFailed(
                "the image service reports virtual_size %s for the qcow2 of 2 GiB virtual size, expected %d: it does "
                "not set virtual_size on upload (Glance 25.1 does, with its format inspector). Nova did refuse the "
                "1 GiB flavor (%s), but Nova Zed decides that from the downloaded file's virtual size (qemu-img), "
                "never from the image record, so the refusal alone says nothing about the image service"
                % ("null" if virtual_size is None else virtual_size, 2 * GiB, refusal))
        return "virtual_size %d; %s" % (virtual_size, refusal)

    def check_snapshot(self):
        if self.server is None:
            raise CheckFailed("no ACTIVE server to snapshot (check 1 failed)")
        rc, out, err = cli("server", "image", "create", "--name", self.tag + "-snapshot", self.server)
        if rc != 0:
            raise CheckFailed("`openstack server image create` failed: %s" % err)
        snap_id = out["id"]
        self.images.append(snap_id)
        snap = poll("snapshot %s to become active" % snap_id, lambda: self.conn.image.get_image(snap_id),
                    lambda i: i.status in ("active", "killed", "deleted"))
        if snap.status != "active":
            raise CheckFailed("snapshot %s is %s, not active" % (snap_id, snap.status))
        problems = []
        if not snap.size:
            problems.append("size %r" % snap.size)
        if snap.disk_format != "qcow2":
            problems.append("disk_format %r, not qcow2" % snap.disk_format)
        path = os.path.join(self.work, "snapshot.img")
        with open(path, "wb") as f:
            response = self.conn.image.download_image(snap, stream=True)
            for chunk in response.iter_content(chunk_size=1 << 20):
                f.write(chunk)
        size = os.path.getsize(path)
        if snap.size and size != snap.size:
            problems.append("downloaded %d bytes, the record says size %d" % (size, snap.size))
        if snap.checksum and md5_of(path) != snap.checksum:
            problems.append("downloaded data's MD5 is not the record's checksum %s" % snap.checksum)
        info = qemu_img_info(path)
        if info.get("format") != "qcow2" or info.get("virtual-size") != 2 * GiB:
            problems.append("the data is %s of virtual size %s, not qcow2 of 2 GiB"
                            % (info.get("format"), info.get("virtual-size")))
        uploads_have_virtual_size = self.image is not None and \
            self.conn.image.get_image(self.image.id).virtual_size is not None
        if uploads_have_virtual_size and snap.virtual_size != 2 * GiB:
            problems.append("virtual_size %s, expected %d (the image service sets it on the upload of check 2)"
                            % (snap.virtual_size, 2 * GiB))
        if problems:
            raise CheckFailed("snapshot %s: %s" % (snap_id, "; ".join(problems)))
        return "snapshot %s active, %d bytes of qcow2 (2 GiB virtual), checksum matches, virtual_size %s" % (
            snap_id, size, snap.virtual_size if snap.virtual_size is not None else "null (not required yet)")

    def run(self, number, name, fn):
        started = time.monotonic()
        try:
            detail = fn()
            self.passed += 1
            print("PASS %d %s (%.0f s): %s" % (number, name, time.monotonic() - started, detail), flush=True)
        except CheckFailed as e:
            self.failed += 1
            print("FAIL %d %s (%.0f s): %s" % (number, name, time.monotonic() - started, e), flush=True)
        except Exception:   # an error of the check itself (or of a client): a failure, with its traceback
            self.failed += 1
            print("FAIL %d %s (%.0f s): %s" % (number, name, time.monotonic() - started,
                                               traceback.format_exc().rstrip()), flush=True)

    def cleanup(self):
        for server_id in self.servers:
            try:
                self.conn.compute.delete_server(server_id, ignore_missing=True)
            except Exception as e:
                print("cleanup: deleting server %s: %s" % (server_id, e), file=sys.stderr)
        for server_id in self.servers:
            try:
                poll("server %s to be deleted" % server_id,
                     lambda: self.conn.compute.find_server(server_id, ignore_missing=True), lambda s: s is None,
                     timeout=120)
            except Exception as e:
                print("cleanup: %s" % e, file=sys.stderr)
        for image_id in self.images:
            try:
                self.conn.image.delete_image(image_id, ignore_missing=True)
            except Exception as e:
                print("cleanup: deleting image %s: %s" % (image_id, e), file=sys.stderr)
        for flavor_id in self.flavors:
            try:
                self.conn.compute.delete_flavor(flavor_id, ignore_missing=True)
            except Exception as e:
                print("cleanup: deleting flavor %s: %s" % (flavor_id, e), file=sys.stderr)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scripts/nova-checks.py WORK_DIR")
    # TERM (the stage interrupted) ends the checks through the cleanup below, as Ctrl-C does
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    checks = NovaChecks(sys.argv[1])
    try:
        checks.run(1, "boot from an uploaded qcow2", checks.check_boot)
        checks.run(2, "flavor smaller than the image's virtual size", checks.check_flavor_too_small)
        checks.run(3, "snapshot back into the image service", checks.check_snapshot)
    finally:
        checks.cleanup()
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
