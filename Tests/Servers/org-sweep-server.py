#!/usr/bin/env python3
"""A local stand-in for the repository-listing APIs of Azure DevOps, GitHub and GitLab, and for
their git hosting: real git over smart HTTP through `git http-backend` (CGI). Started by
patrol's organisation-sweep tests on 127.0.0.1 only; it prints its port, then serves until
killed.

Its folder (--root) holds:
  routes.json  {"auth": {PATH_PREFIX: [ACCEPTED_HEADER, ...]},
                "routes": {PATH_AND_QUERY: [RESPONSE, ...]}}
               A RESPONSE is {"status", "headers", "body"} (body: any JSON value, or "text");
               the responses of a route are served in turn, the last one from then on. "{base}"
               in headers and bodies becomes http://127.0.0.1:PORT. The file is read again
               whenever it changes (and the turns start again).
  git/         bare repositories, served under /git/.
  requests.log one line per request: METHOD PATH STATUS.
A request whose path starts with an "auth" prefix must carry one of its headers
("Authorization: ..." or "PRIVATE-TOKEN: ..."), else it gets 401.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--root", required=True)
options = parser.parse_args()
root = os.path.abspath(options.root)
lock = threading.Lock()
state = {"mtime": None, "routes": {}, "auth": {}, "turns": {}}


def load():
    path = os.path.join(root, "routes.json")
    mtime = os.stat(path).st_mtime_ns
    if mtime != state["mtime"]:
        with open(path) as handle:
            config = json.load(handle)
        state.update(mtime=mtime, routes=config.get("routes", {}), auth=config.get("auth", {}), turns={})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def record(self, status):
        with lock, open(os.path.join(root, "requests.log"), "a") as log:
            log.write(f"{self.command} {self.path} {status}\n")

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def authorised(self):
        for prefix, accepted in state["auth"].items():
            if self.path.startswith(prefix):
                sent = [f"Authorization: {self.headers.get('Authorization', '')}",
                        f"PRIVATE-TOKEN: {self.headers.get('PRIVATE-TOKEN', '')}"]
                return any(header in accepted for header in sent)
        return True

    def reply(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.record(status)

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        payload = self.rfile.read(length) if length else b""
        with lock:
            load()
            allowed = self.authorised()
        if not allowed:
            return self.reply(401, {"WWW-Authenticate": 'Basic realm="test"', "Content-Type": "text/plain"}, b"authentication required\n")
        if self.path.startswith("/git/"):
            return self.git(payload)
        with lock:
            responses = state["routes"].get(self.path)
            turn = state["turns"].get(self.path, 0)
            state["turns"][self.path] = turn + 1
        if not responses:
            return self.reply(404, {"Content-Type": "application/json"}, b'{"message": "Not Found"}')
        response = responses[min(turn, len(responses) - 1)]
        body = response.get("body", "")
        text = body if isinstance(body, str) else json.dumps(body)
        text = text.replace("{base}", self.base())
        headers = {name: value.replace("{base}", self.base()) for name, value in response.get("headers", {}).items()}
        headers.setdefault("Content-Type", "application/json")
        self.reply(response.get("status", 200), headers, text.encode())

    def git(self, payload):
        path, _, query = self.path[len("/git"):].partition("?")
        environment = dict(os.environ, GIT_PROJECT_ROOT=os.path.join(root, "git"), GIT_HTTP_EXPORT_ALL="1",
                           PATH_INFO=path, QUERY_STRING=query, REQUEST_METHOD=self.command,
                           CONTENT_TYPE=self.headers.get("Content-Type", ""), CONTENT_LENGTH=str(len(payload)),
                           REMOTE_ADDR="127.0.0.1", GIT_PROTOCOL=self.headers.get("Git-Protocol", ""))
        if self.headers.get("Content-Encoding") == "gzip":
            environment["HTTP_CONTENT_ENCODING"] = "gzip"
        output = subprocess.run(["git", "http-backend"], input=payload, capture_output=True, env=environment).stdout
        head, _, body = output.partition(b"\r\n\r\n")
        if not _:
            head, _, body = output.partition(b"\n\n")
        status, headers = 200, {}
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers[name.strip()] = value.strip()
        self.reply(status, headers, body)

    do_GET = handle_any
    do_POST = handle_any


def end_with_standard_input():
    """The test holds our standard input open: when it closes (the test ended or died), stop."""
    sys.stdin.buffer.read()
    os._exit(0)


threading.Thread(target=end_with_standard_input, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
