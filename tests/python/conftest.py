"""Starts the cognate binary once per session and resets it before every test.

The binary is $COGNATE_BIN (default: target/debug/cognate, which `cargo test` builds). Clients
reach it the way a team's own tests would: through AWS_ENDPOINT_URL, with dummy credentials.
"""

import json
import os
import pathlib
import subprocess
import sys
import threading
import urllib.request

import boto3
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _free_port():
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


HANDLERS = pathlib.Path(__file__).with_name("handlers")


def _lambda_invoke_server():
    """A stand-in for the Lambda Invoke API (what `sam local start-lambda` or the Runtime
    Interface Emulator serve): POST /2015-03-31/functions/<name>/invocations."""
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            name = self.path.split("/functions/")[1].split("/")[0]
            event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if name == "httpFails":
                body, extra = {"errorMessage": "Served badly", "errorType": "Error"}, {"X-Amz-Function-Error": "Unhandled"}
            elif name == "httpPostConfirmation":
                # handlers/post_confirmation.py, served here so that many can wait on cognate
                # at once without each starting a Python process.
                boto3.client("cognito-idp", region_name=event["region"]).admin_add_user_to_group(
                    UserPoolId=event["userPoolId"], Username=event["userName"], GroupName="Users")
                body, extra = event, {}
            else:
                event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"via": "http"}}
                body, extra = event, {}
            data = json.dumps(body).encode()
            self.send_response(200)
            for k, v in {"Content-Type": "application/json", **extra}.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}"


def _lambda_routes():
    """The trigger handlers the tests use, run as local commands with this interpreter."""
    py = sys.executable
    routes = {
        "postConfirmation": f"{py} {HANDLERS / 'post_confirmation.py'}",
        "preSignUp": f"{py} {HANDLERS / 'pre_sign_up.py'}",
        "customMessage": f"{py} {HANDLERS / 'custom_message.py'}",
        "userMigration": f"{py} {HANDLERS / 'user_migration.py'}",
        "defineAuth": f"{py} {HANDLERS / 'define_auth.py'}",
        "customEmailSender": f"{py} {HANDLERS / 'custom_email_sender.py'}",
        "customSender": f"{py} {HANDLERS / 'custom_sender.py'}",
        "createAuth": f"{py} {HANDLERS / 'create_auth.py'}",
        "verifyAuth": f"{py} {HANDLERS / 'verify_auth.py'}",
        "preAuthentication": f"{py} {HANDLERS / 'pre_authentication.py'}",
        "postAuthentication": f"{py} {HANDLERS / 'post_authentication.py'}",
        "preTokenV1": f"{py} {HANDLERS / 'pre_token_v1.py'}",
        "preTokenV2": f"{py} {HANDLERS / 'pre_token_v2.py'}",
        "preTokenM2m": f"{py} {HANDLERS / 'pre_token_m2m.py'}",
        "failsWithError": f"{py} {HANDLERS / 'failing.py'} error",
        "failsByRaising": f"{py} {HANDLERS / 'failing.py'} raise",
        "timesOut": f"{py} {HANDLERS / 'failing.py'} timeout",
        "answersGarbage": f"{py} {HANDLERS / 'failing.py'} garbage",
    }
    args = [arg for name, cmd in routes.items() for arg in ("--lambda", f"{name}=command:{cmd}")]
    invoke_api = _lambda_invoke_server()
    return args + [arg for name in ("httpPreToken", "httpFails", "httpPostConfirmation")
                   for arg in ("--lambda", f"{name}={invoke_api}")]


def launch(args, port=None, env=None):
    """Starts the cognate binary with `args` on `port` (a free one by default), its log drained
    in the background: (process, url). For modules that need a server of their own (one whose
    clock they move, or with Lambda routes of their own)."""
    binary = os.environ.get("COGNATE_BIN", str(ROOT / "target" / "debug" / "cognate"))
    port = port or _free_port()
    proc = subprocess.Popen(
        [binary, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NO_COLOR": "1", "COGNATE_LOG": "info", **(env or {})},
    )
    url = None
    for line in proc.stdout:
        if "listening on " in line:
            url = line.split("listening on ")[1].split()[0]
            break
    if url is None:
        proc.kill()
        raise RuntimeError("cognate did not start")
    # Keep draining the log so the server never blocks on a full pipe.
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    return proc, url


def _start(args):
    port = _free_port()
    # Handlers inherit cognate's environment, so they can call it back.
    os.environ["AWS_ENDPOINT_URL"] = f"http://127.0.0.1:{port}"
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    return launch(args, port=port)


_SERVER = {}


def pytest_configure(config):
    """Start cognate before any test module is imported: the seed guide's integration file
    reads its environment at import time."""
    proc, url = _start(["--ephemeral", "--seed", str(ROOT / "tests" / "seed.toml"), "--lambda-timeout", "1", *_lambda_routes()])
    _SERVER.update(proc=proc, url=url)
    os.environ["AWS_ENDPOINT_URL"] = url
    os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
    os.environ["AWS_ACCESS_KEY_ID"] = "testing"
    os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
    # The seed guide's test configuration, pointing at the seeded pool.
    os.environ["AWS_REGION"] = "us-east-1"
    os.environ["COGNITO_USER_POOL_ID"] = "us-east-1_TestPoolId"
    os.environ["COGNITO_CLIENT_ID"] = "testclientid"
    os.environ["TEST_USER_EMAIL"] = "testuser@example.com"
    os.environ["TEST_USER_PASSWORD"] = "TestPass123!"


def pytest_unconfigure(config):
    proc = _SERVER.get("proc")
    if proc:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def cognate_url():
    return _SERVER["url"]


@pytest.fixture(autouse=True)
def fresh_state(cognate_url):
    """Every test starts from the seeded state, through moto's reset path."""
    req = urllib.request.Request(cognate_url + "/moto-api/reset", method="POST")
    with urllib.request.urlopen(req) as resp:
        assert json.load(resp)["status"] == "reset"


@pytest.fixture
def idp(cognate_url):
    return boto3.client("cognito-idp", region_name="us-east-1")


class OwnCognate:
    """A cognate of a test module's own (see `own_cognate`): its URL, a cognito-idp client for
    it, and its clock."""

    def __init__(self, url):
        self.url = url
        self.idp = boto3.client("cognito-idp", region_name="us-east-1", endpoint_url=url)

    def advance(self, seconds):
        req = urllib.request.Request(f"{self.url}/_cognate/clock", data=json.dumps({"advanceSeconds": seconds}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req) as r:
            return json.load(r)["now"]

    def now(self):
        with urllib.request.urlopen(f"{self.url}/_cognate/clock") as r:
            return json.load(r)["now"]


@pytest.fixture(scope="module")
def own_cognate_server():
    """One cognate per test module that asks for it, apart from the shared one: its clock may be
    moved without disturbing other modules."""
    proc, url = launch(["--ephemeral"])
    yield url
    proc.kill()
    proc.wait()


@pytest.fixture
def own_cognate(own_cognate_server):
    """The module's own cognate, reset for each test."""
    req = urllib.request.Request(own_cognate_server + "/_cognate/reset", method="POST")
    with urllib.request.urlopen(req) as r:
        assert json.load(r)["status"] == "reset"
    return OwnCognate(own_cognate_server)


def raw(url, target, body, content_type="application/x-amz-json-1.1"):
    """A request no SDK would send: returns (status, headers, parsed body)."""
    headers = {"Content-Type": content_type}
    if target:
        headers["X-Amz-Target"] = target
    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, resp.headers, json.loads(resp.read() or b"null")
    except urllib.error.HTTPError as e:
        return e.code, e.headers, json.loads(e.read() or b"null")
