"""A stand-in for Neutron, for scripts/nova.sh: Nova without Neutron still lists a server's ports when it deletes it
(even one created with --nic none). Answers every GET with an empty list of what the path names, DELETE with 204,
anything else with 404. Listens on 127.0.0.1:PORT (argv[1]); one line per request on stderr.
"""
import json
import re
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def _send(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        match = re.match(r"^/(?:v2\.0/)?([a-z_-]+)", self.path.split("?")[0])
        if not match:
            return self._send(200, {"versions": [{"id": "v2.0", "status": "CURRENT"}]})
        self._send(200, {match.group(1).replace("-", "_"): []})

    def do_DELETE(self):
        self._send(204, {})

    def do_POST(self):
        self._send(404, {"NeutronError": {"message": "neutron stub", "type": "NotFound", "detail": ""}})

    do_PUT = do_POST

    def log_message(self, fmt, *args):
        sys.stderr.write("%s %s\n" % (self.command, self.path))


ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
