"""An acknowledged submission survives the server process being killed outright."""
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(database_url: str, port: int, instance) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret",
           "BMN_INSTANCE_PATH": str(instance)}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "--no-control-socket", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=open(Path(instance).parent / "server.log", "ab"),  # read it when a test fails
        start_new_session=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=10)
            return process
        except OSError:  # refused, reset or timed out while the worker boots
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("server did not start")


def request(method, url, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as response:
        return response.status, json.load(response)


def test_acknowledged_submission_survives_kill_9(app, database_url, enumerator, tmp_path,
                                                 household_payload):
    from app.auth.services import issue_token
    token = issue_token(enumerator, "durability").token
    body = household_payload(42)
    port = free_port()
    server = start_server(database_url, port, tmp_path / "instance")
    try:
        status, stored = request("POST", f"http://127.0.0.1:{port}/api/v1/households",
                                 token, body)
        assert status == 201
    finally:
        os.killpg(server.pid, signal.SIGKILL)  # no shutdown, no flush: a crash
        server.wait()
    server = start_server(database_url, port, tmp_path / "instance")
    try:
        status, again = request("GET", f"http://127.0.0.1:{port}/api/v1/households/"
                                       f"{body['client_uuid']}", token)
        assert status == 200 and again["version"] == stored["version"]
        assert again["indicators"] == stored["indicators"]
        assert len(again["members"]) == len(body["members"])
        # The phone, unsure the first try arrived, sends it again: still one household.
        status, replay = request("POST", f"http://127.0.0.1:{port}/api/v1/households",
                                 token, body)
        assert status == 200 and replay["id"] == stored["id"]
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()
