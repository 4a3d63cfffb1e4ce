#!/usr/bin/python3
"""Drives an image service through a fixed sequence of calls and writes every notification it publishes.

Made to capture what Glance 25.1 sends (src/test/resources/notifications/glance-25.1/, see docs/testing.md) so that
glint.notify.GlanceNotificationsTest can hold Glint to it; it works against any image service whose notifications
go to the AMQP broker given (oslo.messaging's messagingv2 driver, exchange `glance`).

    /usr/bin/python3 scripts/capture-notifications.py --keystone http://127.0.0.1:5301/v3 \
        --image http://127.0.0.1:9601 --amqp amqp://guest:guest@127.0.0.1:5672/VHOST --out DIR

Users admin/admin (project admin) and demo/demo (project demo), as the reference peer's Keystone has them. One file
per scenario, DIR/<scenario>.json: its steps in order, each with the request made and the messages that it caused
(exchange, routing key, AMQP properties, the envelope with `oslo.message` decoded), ids and times normalised
(`<image>`, `<project:demo>`, `<time:…>`; see normalise()).
"""
import argparse
import hashlib
import http.server
import json
import re
import sys
import threading
import time

import amqp
import requests

QUIET = 1.5        # seconds without a message that end a step's messages
WAIT_ACTIVE = 60   # seconds an import may take
DATA = bytes(range(256)) * 16   # 4 KiB, the same bytes Glint's test uploads


class Capture:
    def __init__(self, url):
        m = re.match(r'amqp://([^:]+):([^@]+)@([^/]+)/(.*)', url)
        user, password, host, vhost = m.groups()
        self.conn = amqp.Connection(host=host, userid=user, password=password, virtual_host=vhost or '/')
        self.conn.connect()
        self.ch = self.conn.channel()
        # the flags oslo.messaging declares the exchange with (amqp_durable_queues, amqp_auto_delete: false)
        self.ch.exchange_declare('glance', 'topic', durable=False, auto_delete=False)
        q, _, _ = self.ch.queue_declare('', exclusive=True, auto_delete=True)
        self.ch.queue_bind(q, 'glance', 'notifications.*')
        self.got = []
        self.ch.basic_consume(q, callback=self.got.append, no_ack=True)

    def drain(self, quiet=QUIET):
        """Every message that arrives until none has for `quiet` seconds."""
        while True:
            try:
                self.conn.drain_events(timeout=quiet)
            except TimeoutError:
                break
            except Exception as e:   # socket.timeout on older Pythons
                if 'timed out' not in str(e):
                    raise
                break
        out, self.got[:] = list(self.got), []
        return [{'exchange': m.delivery_info['exchange'], 'routing_key': m.delivery_info['routing_key'],
                 'properties': {k: v for k, v in m.properties.items() if k != 'application_headers'},
                 'headers': m.properties.get('application_headers') or {},
                 'body': json.loads(m.body)} for m in out]


def token(keystone, user, project):
    r = requests.post(keystone + '/auth/tokens', json={'auth': {
        'identity': {'methods': ['password'], 'password': {'user': {
            'name': user, 'domain': {'id': 'default'}, 'password': user}}},
        'scope': {'project': {'name': project, 'domain': {'id': 'default'}}}}})
    r.raise_for_status()
    body = r.json()['token']
    return r.headers['X-Subject-Token'], body['project']['id'], body['user']['id']


class Client:
    def __init__(self, base, tok):
        self.base, self.tok = base, tok

    def call(self, method, path, body=None, data=None, ctype=None, expect=None):
        h = {'X-Auth-Token': self.tok}
        if body is not None:
            h['Content-Type'] = ctype or 'application/json'
            data = json.dumps(body)
        elif data is not None:
            h['Content-Type'] = ctype or 'application/octet-stream'
        r = requests.request(method, self.base + path, headers=h, data=data)
        if expect and r.status_code != expect:
            raise SystemExit(f'{method} {path}: {r.status_code} {r.text[:300]}')
        return r


TIME_SHAPES = [
    (re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$'), '<time:YYYY-MM-DD hh:mm:ss.ffffff>'),
    (re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$'), '<time:YYYY-MM-DDThh:mm:ssZ>'),
    (re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$'), '<time:YYYY-MM-DDThh:mm:ss.ffffff>'),
    (re.compile(r'^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d|Z)?$'), '<time:other>'),
]
UUID = re.compile(r'^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
HEX32 = re.compile(r'^[0-9a-f]{32}$')


def normalise(value, names):
    """Known ids by name, other UUIDs and 32-hex ids by shape, times by format; everything else as it is."""
    if isinstance(value, dict):
        return {k: normalise(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [normalise(v, names) for v in value]
    if isinstance(value, str):
        if value in names:
            return names[value]
        for pattern, shape in TIME_SHAPES:
            if pattern.match(value):
                return shape
        if UUID.match(value):
            return '<uuid>'
        if HEX32.match(value):
            return '<hex32>'
        for known, name in names.items():   # ids inside messages ("… for image <id>: …")
            value = value.replace(known, name)
    return value


def decoded(msg, names):
    body = dict(msg['body'])
    inner = body.get('oslo.message')
    if isinstance(inner, str):
        body['oslo.message'] = json.loads(inner)
    msg = dict(msg, body=body)
    return normalise(msg, names)


def wait_status(c, image, wanted):
    deadline = time.monotonic() + WAIT_ACTIVE
    while time.monotonic() < deadline:
        img = c.call('GET', f'/v2/images/{image}', expect=200).json()
        if img['status'] in wanted and not img.get('os_glance_import_task'):
            return img
        time.sleep(0.5)
    raise SystemExit(f'image {image} did not reach {wanted}')


class DataHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != '/data':
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header('Content-Length', str(len(DATA)))
        self.end_headers()
        self.wfile.write(DATA)

    def log_message(self, *args):
        pass


def serve_data(port):
    """DATA at http://127.0.0.1:PORT/data, 404 elsewhere: web-download's source."""
    server = http.server.ThreadingHTTPServer(('127.0.0.1', port), DataHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--keystone', required=True)
    p.add_argument('--image', required=True)
    p.add_argument('--amqp', required=True)
    p.add_argument('--out', required=True)
    p.add_argument('--web-port', type=int, default=18080, help='a loopback port web-download may fetch from')
    a = p.parse_args()
    serve_data(a.web_port)
    admin_tok, admin_project, admin_user = token(a.keystone, 'admin', 'admin')
    demo_tok, demo_project, demo_user = token(a.keystone, 'demo', 'demo')
    admin, demo = Client(a.image, admin_tok), Client(a.image, demo_tok)
    names = {admin_project: '<project:admin>', demo_project: '<project:demo>',
             admin_user: '<user:admin>', demo_user: '<user:demo>',
             hashlib.md5(DATA).hexdigest(): hashlib.md5(DATA).hexdigest()}   # the checksum stays
    cap = Capture(a.amqp)
    cap.drain(0.2)
    scenarios = {}

    def step(scenario, name, request, fn, settle=None):
        fn()
        if settle:
            settle()
        scenarios.setdefault(scenario, []).append({'step': name, 'request': request, 'messages': cap.drain()})
        print(f'{scenario}/{name}: {len(scenarios[scenario][-1]["messages"])} message(s)', file=sys.stderr)

    # image lifecycle
    image = {}

    def create():
        image.update(admin.call('POST', '/v2/images', {
            'name': 'notify-1', 'disk_format': 'raw', 'container_format': 'bare', 'min_disk': 1,
            'tags': ['t1'], 'hw_scsi_model': 'virtio-scsi'}, expect=201).json())
        names[image['id']] = '<image>'
    step('image', 'create', 'POST /v2/images', create)
    i = image['id']
    step('image', 'upload', 'PUT /v2/images/{id}/file',
         lambda: admin.call('PUT', f'/v2/images/{i}/file', data=DATA, expect=204))
    step('image', 'update', 'PATCH /v2/images/{id}', lambda: admin.call('PATCH', f'/v2/images/{i}', [
        {'op': 'replace', 'path': '/name', 'value': 'notify-1b'},
        {'op': 'add', 'path': '/os_distro', 'value': 'cirros'}],
        ctype='application/openstack-images-v2.1-json-patch', expect=200))
    step('image', 'add-tag', 'PUT /v2/images/{id}/tags/t2',
         lambda: admin.call('PUT', f'/v2/images/{i}/tags/t2', expect=204))
    step('image', 'download', 'GET /v2/images/{id}/file',
         lambda: admin.call('GET', f'/v2/images/{i}/file', expect=200))
    step('image', 'member-create', 'POST /v2/images/{id}/members',
         lambda: admin.call('POST', f'/v2/images/{i}/members', {'member': demo_project}, expect=200))
    step('image', 'member-update', 'PUT /v2/images/{id}/members/{member} (the member)',
         lambda: demo.call('PUT', f'/v2/images/{i}/members/{demo_project}', {'status': 'accepted'}, expect=200))
    step('image', 'download-by-member', 'GET /v2/images/{id}/file (the member)',
         lambda: demo.call('GET', f'/v2/images/{i}/file', expect=200))
    step('image', 'member-delete', 'DELETE /v2/images/{id}/members/{member}',
         lambda: admin.call('DELETE', f'/v2/images/{i}/members/{demo_project}', expect=204))
    step('image', 'deactivate', 'POST /v2/images/{id}/actions/deactivate',
         lambda: admin.call('POST', f'/v2/images/{i}/actions/deactivate', expect=204))
    step('image', 'reactivate', 'POST /v2/images/{id}/actions/reactivate',
         lambda: admin.call('POST', f'/v2/images/{i}/actions/reactivate', expect=204))
    step('image', 'delete', 'DELETE /v2/images/{id}', lambda: admin.call('DELETE', f'/v2/images/{i}', expect=204))

    # an upload refused: no formats
    bare = {}

    def create_bare():
        bare.update(admin.call('POST', '/v2/images', {'name': 'notify-2'}, expect=201).json())
        names[bare['id']] = '<image>'
    step('upload-refused', 'create', 'POST /v2/images (no formats)', create_bare)
    step('upload-refused', 'upload', 'PUT /v2/images/{id}/file (400: formats missing)',
         lambda: admin.call('PUT', f'/v2/images/{bare["id"]}/file', data=DATA, expect=400))
    step('upload-refused', 'delete', 'DELETE /v2/images/{id}',
         lambda: admin.call('DELETE', f'/v2/images/{bare["id"]}', expect=204))

    # interoperable import: glance-direct, then copy-image to the second store
    imp = {}

    def create_imp():
        imp.update(admin.call('POST', '/v2/images', {
            'name': 'notify-3', 'disk_format': 'raw', 'container_format': 'bare'}, expect=201).json())
        names[imp['id']] = '<image>'
    step('import', 'create', 'POST /v2/images', create_imp)
    j = imp['id']
    step('import', 'stage', 'PUT /v2/images/{id}/stage',
         lambda: admin.call('PUT', f'/v2/images/{j}/stage', data=DATA, expect=204))

    def tasks_named():
        for t in admin.call('GET', f'/v2/images/{j}/tasks', expect=200).json().get('tasks', []):
            names.setdefault(t['id'], f'<task:{len([n for n in names.values() if n.startswith("<task")]) + 1}>')
    step('import', 'glance-direct', 'POST /v2/images/{id}/import (glance-direct), until active',
         lambda: admin.call('POST', f'/v2/images/{j}/import', {'method': {'name': 'glance-direct'}}, expect=202),
         settle=lambda: (wait_status(admin, j, ['active']), tasks_named()))
    step('import', 'copy-image', 'POST /v2/images/{id}/import (copy-image to file2), until copied',
         lambda: admin.call('POST', f'/v2/images/{j}/import', {'method': {'name': 'copy-image'}, 'stores': ['file2']},
                            expect=202),
         settle=lambda: (wait_status(admin, j, ['active']), tasks_named()))
    step('import', 'delete', 'DELETE /v2/images/{id}', lambda: admin.call('DELETE', f'/v2/images/{j}', expect=204))

    # web-download: one that succeeds, one whose source answers 404 (the task fails, the image goes back to queued)
    for scenario, path, outcome in (('web-download', '/data', 'active'), ('web-download-failed', '/missing', 'queued')):
        web_image = {}

        def create_web():
            web_image.update(admin.call('POST', '/v2/images', {
                'name': 'notify-4', 'disk_format': 'raw', 'container_format': 'bare'}, expect=201).json())
            names[web_image['id']] = '<image>'
        step(scenario, 'create', 'POST /v2/images', create_web)
        w = web_image['id']

        def tasks_of_web():
            for t in admin.call('GET', f'/v2/images/{w}/tasks', expect=200).json().get('tasks', []):
                names.setdefault(t['id'], f'<task:{len([n for n in names.values() if n.startswith("<task")]) + 1}>')
        step(scenario, 'web-download', f'POST /v2/images/{{id}}/import (web-download of {path}), until {outcome}',
             lambda: admin.call('POST', f'/v2/images/{w}/import', {'method': {
                 'name': 'web-download', 'uri': f'http://127.0.0.1:{a.web_port}{path}'}}, expect=202),
             settle=lambda: (wait_status(admin, w, [outcome]), tasks_of_web()))
        step(scenario, 'delete', 'DELETE /v2/images/{id}', lambda: admin.call('DELETE', f'/v2/images/{w}', expect=204))

    # metadata definitions
    ns = '/v2/metadefs/namespaces'
    step('metadefs', 'namespace-create', 'POST /v2/metadefs/namespaces', lambda: admin.call('POST', ns, {
        'namespace': 'GlintNotify', 'display_name': 'Notify test', 'description': 'for notifications',
        'visibility': 'public', 'protected': False}, expect=201))
    step('metadefs', 'object-create', 'POST /v2/metadefs/namespaces/{ns}/objects',
         lambda: admin.call('POST', f'{ns}/GlintNotify/objects', {
             'name': 'obj1', 'description': 'an object', 'required': ['p1'],
             'properties': {'p1': {'type': 'string', 'title': 'P1', 'enum': ['a', 'b']}}}, expect=201))
    step('metadefs', 'property-create', 'POST /v2/metadefs/namespaces/{ns}/properties',
         lambda: admin.call('POST', f'{ns}/GlintNotify/properties', {
             'name': 'prop1', 'type': 'integer', 'title': 'Prop 1', 'minimum': 1, 'maximum': 8}, expect=201))
    step('metadefs', 'tag-create', 'POST /v2/metadefs/namespaces/{ns}/tags/{tag}',
         lambda: admin.call('POST', f'{ns}/GlintNotify/tags/tag1', expect=201))
    step('metadefs', 'resource-type-associate', 'POST /v2/metadefs/namespaces/{ns}/resource_types',
         lambda: admin.call('POST', f'{ns}/GlintNotify/resource_types', {
             'name': 'OS::Glance::Image', 'prefix': 'notify_'}, expect=201))
    step('metadefs', 'namespace-update', 'PUT /v2/metadefs/namespaces/{ns}', lambda: admin.call('PUT', f'{ns}/GlintNotify', {
        'namespace': 'GlintNotify', 'display_name': 'Notify test', 'description': 'changed',
        'visibility': 'public', 'protected': False}, expect=200))
    step('metadefs', 'tag-delete', 'DELETE /v2/metadefs/namespaces/{ns}/tags/{tag}',
         lambda: admin.call('DELETE', f'{ns}/GlintNotify/tags/tag1', expect=204))
    step('metadefs', 'namespace-delete', 'DELETE /v2/metadefs/namespaces/{ns}',
         lambda: admin.call('DELETE', f'{ns}/GlintNotify', expect=204))

    sha = hashlib.md5(DATA).hexdigest()
    for scenario, steps in scenarios.items():
        doc = {'captured_from': 'see scripts/capture-notifications.py', 'data_md5': sha,
               'steps': [dict(s, messages=[decoded(m, names) for m in s['messages']]) for s in steps]}
        with open(f'{a.out}/{scenario}.json', 'w') as f:
            json.dump(doc, f, indent=2, sort_keys=False)
            f.write('\n')


if __name__ == '__main__':
    main()
