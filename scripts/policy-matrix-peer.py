#!/usr/bin/python3
"""Replays the policy matrix of src/test/java/glint/api/PolicyMatrixTest.java against any Glance endpoint.

Checks the table itself against the real Glance 25.1 (the peer of /work/shared/peer), the same way the JUnit test
checks Glint against the table. Only loopback; standard library only.

  /work/shared/peer/start-peer.sh            # with PEER_DIR, KEYSTONE_PORT, GLANCE_PORT as you like
  scripts/policy-matrix-peer.py --auth-url http://127.0.0.1:5000/v3 --image-url http://127.0.0.1:9292 \
      --admin-password admin

Creates projects alpha, beta, p-pending, p-accepted, p-rejected and users m-* (password m-secret) when missing.
Prints one line per cell that differs and exits 1 if any does.
"""
import argparse
import json
import pathlib
import re
import sys
import urllib.error
import urllib.request
import uuid

TEST = pathlib.Path(__file__).resolve().parent.parent / "src/test/java/glint/api/PolicyMatrixTest.java"
VISIBILITIES = ["private", "shared", "public", "community"]


def call(method, url, token=None, body=None, headers=None):
    data = None
    h = dict(headers or {})
    if body is not None:
        if isinstance(body, (dict, list)):
            data = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        else:
            data = body
    if token:
        h["X-Auth-Token"] = token
    req = urllib.request.Request(url, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.read(), e.headers


def table():
    text = TEST.read_text()
    block = re.search(r'TABLE = """\n(.*?)"""', text, re.S).group(1)
    cells = []
    for line in block.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        f = line.split()
        if len(f) == 3:
            cells.append((f[0], f[1], "shared", int(f[2])))
            continue
        for i, v in enumerate(VISIBILITIES):
            if f[2 + i] != "-":
                cells.append((f[0], f[1], v, int(f[2 + i])))
    return cells


class Identity:
    def __init__(self, auth_url, admin_password):
        self.url = auth_url.rstrip("/")
        self.admin = self.token("admin", admin_password, "admin")

    def token(self, user, password, project):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"}, "password": password}}},
            "scope": {"project": {"name": project, "domain": {"id": "default"}}}}}
        status, out, headers = call("POST", self.url + "/auth/tokens", body=body)
        assert status == 201, (user, status, out)
        return headers["X-Subject-Token"]

    def find(self, kind, name):
        status, out, _ = call("GET", f"{self.url}/{kind}?name={name}", self.admin)
        items = json.loads(out)[kind]
        return items[0]["id"] if items else None

    def ensure(self, kind, name, extra):
        found = self.find(kind, name)
        if found:
            return found
        status, out, _ = call("POST", f"{self.url}/{kind}", self.admin, {kind[:-1]: dict(name=name, **extra)})
        assert status == 201, (kind, name, status, out)
        return json.loads(out)[kind[:-1]]["id"]

    def user_token(self, project, user, role):
        pid = self.ensure("projects", project, {"domain_id": "default"})
        uid = self.ensure("users", user, {"domain_id": "default", "password": "m-secret"})
        rid = self.find("roles", role)
        status, out, _ = call("PUT", f"{self.url}/projects/{pid}/users/{uid}/roles/{rid}", self.admin)
        assert status in (200, 204), (status, out)
        return pid, self.token(user, "m-secret", project)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--auth-url", required=True)
    p.add_argument("--image-url", required=True)
    p.add_argument("--admin-password", default="admin")
    p.add_argument("--only", default="", help="comma-separated routes to replay (default: all)")
    a = p.parse_args()
    ident = Identity(a.auth_url, a.admin_password)
    img = a.image_url.rstrip("/")
    callers = {"admin": ident.admin, "anon": None}
    alpha, callers["owner"] = ident.user_token("alpha", "m-owner", "member")
    _, callers["reader"] = ident.user_token("alpha", "m-reader", "reader")
    _, callers["other"] = ident.user_token("beta", "m-other", "member")
    member_project = {}
    for s in ("pending", "accepted", "rejected"):
        member_project[s], callers[s] = ident.user_token("p-" + s, "m-" + s, "member")
    admin = ident.admin

    def expect(r, status):
        assert r[0] == status, (status, r[0], r[1][:300])
        return r

    def fixture(visibility, state):
        r = expect(call("POST", img + "/v2/images", admin, {"name": "matrix", "visibility": visibility, "owner": alpha,
                   "disk_format": "raw", "container_format": "bare", "tags": ["t0"]}), 201)
        iid = json.loads(r[1])["id"]
        if state != "queued":
            expect(call("PUT", f"{img}/v2/images/{iid}/file", admin, b"\x07\x07\x07",
                        {"Content-Type": "application/octet-stream"}), 204)
        if visibility == "shared":
            for s in ("pending", "accepted", "rejected"):
                expect(call("POST", f"{img}/v2/images/{iid}/members", admin, {"member": member_project[s]}), 200)
                if s != "pending":
                    expect(call("PUT", f"{img}/v2/images/{iid}/members/{member_project[s]}", callers[s], {"status": s}), 200)
        if state == "deactivated":
            expect(call("POST", f"{img}/v2/images/{iid}/actions/deactivate", admin, b""), 204)
        return iid

    patch = {"Content-Type": "application/openstack-images-v2.1-json-patch"}

    def listed(t, i):
        status, out, headers = call("GET", f"{img}/v2/images?limit=1000", t)
        assert status == 200, (status, out[:200])
        return (1 if any(x["id"] == i for x in json.loads(out)["images"]) else 0), out, headers

    routes = {
        "show": ("active", False, lambda t, i, m, v: call("GET", f"{img}/v2/images/{i}", t)),
        "listed": ("active", False, lambda t, i, m, v: listed(t, i)),
        "list": (None, False, lambda t, i, m, v: call("GET", f"{img}/v2/images", t)),
        "create": (None, True, lambda t, i, m, v: call("POST", f"{img}/v2/images", t, {"name": "matrix", "visibility": v,
                                                       "disk_format": "raw", "container_format": "bare"})),
        "create-alpha": (None, True, lambda t, i, m, v: call("POST", f"{img}/v2/images", t, {
            "name": "matrix", "visibility": v, "owner": alpha, "disk_format": "raw", "container_format": "bare"})),
        "publicize": ("active", True, lambda t, i, m, v: call("PATCH", f"{img}/v2/images/{i}", t, json.dumps(
            [{"op": "replace", "path": "/visibility", "value": "public"}]).encode(), patch)),
        "communitize": ("active", True, lambda t, i, m, v: call("PATCH", f"{img}/v2/images/{i}", t, json.dumps(
            [{"op": "replace", "path": "/visibility", "value": "community"}]).encode(), patch)),
        "download-deact": ("deactivated", False, lambda t, i, m, v: call("GET", f"{img}/v2/images/{i}/file", t)),
        "update": ("active", True, lambda t, i, m, v: call("PATCH", f"{img}/v2/images/{i}", t, json.dumps(
            [{"op": "replace", "path": "/name", "value": "renamed"}]).encode(), patch)),
        "delete": ("active", True, lambda t, i, m, v: call("DELETE", f"{img}/v2/images/{i}", t)),
        "upload": ("queued", True, lambda t, i, m, v: call("PUT", f"{img}/v2/images/{i}/file", t, b"\x01\x02\x03",
                                                          {"Content-Type": "application/octet-stream"})),
        "download": ("active", False, lambda t, i, m, v: call("GET", f"{img}/v2/images/{i}/file", t)),
        "tag-add": ("active", True, lambda t, i, m, v: call("PUT", f"{img}/v2/images/{i}/tags/new", t, b"")),
        "tag-delete": ("active", True, lambda t, i, m, v: call("DELETE", f"{img}/v2/images/{i}/tags/t0", t)),
        "deactivate": ("active", True, lambda t, i, m, v: call("POST", f"{img}/v2/images/{i}/actions/deactivate", t, b"")),
        "reactivate": ("deactivated", True, lambda t, i, m, v: call("POST", f"{img}/v2/images/{i}/actions/reactivate", t, b"")),
        "members-list": ("active", False, lambda t, i, m, v: call("GET", f"{img}/v2/images/{i}/members", t)),
        "member-add": ("active", True, lambda t, i, m, v: call("POST", f"{img}/v2/images/{i}/members", t,
                                                              {"member": uuid.uuid4().hex})),
        "member-show": ("active", False, lambda t, i, m, v: call("GET", f"{img}/v2/images/{i}/members/{m}", t)),
        "member-update": ("active", True, lambda t, i, m, v: call("PUT", f"{img}/v2/images/{i}/members/{m}", t,
                                                                 {"status": "accepted"})),
        "member-delete": ("active", True, lambda t, i, m, v: call("DELETE", f"{img}/v2/images/{i}/members/{m}", t)),
    }
    for s in ("image", "images", "member", "members"):
        routes["schema-" + s] = (None, False, lambda t, i, m, v, s=s: call("GET", f"{img}/v2/schemas/{s}", t))

    shared, differ, total = {}, 0, 0
    only = set(filter(None, a.only.split(",")))
    for route, caller, visibility, expected in table():
        if only and route not in only:
            continue
        needs, mutates, request = routes[route]
        image = None
        if needs:
            if mutates:
                image = fixture(visibility, needs)
            else:
                image = shared.setdefault(visibility + needs, None) or shared.update(
                    {visibility + needs: fixture(visibility, needs)}) or shared[visibility + needs]
        member = member_project.get(caller, member_project["accepted"])
        status = request(callers[caller], image, member, visibility)[0]
        total += 1
        if status != expected:
            differ += 1
            print(f"DIFF {route} × {caller} × {visibility}: table {expected}, this endpoint {status}")
    print(f"{total} cells, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
