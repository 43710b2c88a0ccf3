"""The README's nginx snippet, for real: TLS at nginx, websockets through it to the server."""

from __future__ import annotations

import json
import os
import re
import shutil
import ssl
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import websocket

from tests.live.conftest import ROOT, LiveServer
from tests.services import free_port, unavailable

pytestmark = pytest.mark.live


def _readme_location(upstream_port: int) -> str:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("```nginx\n", 1)[1].split("```", 1)[0]
    return block.replace("http://127.0.0.1:5000", f"http://127.0.0.1:{upstream_port}")


@pytest.fixture
def tls_proxy(tmp_path: Path) -> Iterator[tuple[int, Callable[[int], None]]]:
    """Return (port, start(upstream_port)): nginx with a self-signed certificate on loopback."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(nginx) or not shutil.which("openssl"):
        unavailable("nginx or openssl is not installed (apt-get install nginx-light openssl)")
    prefix = tmp_path / "nginx"
    (prefix / "tmp").mkdir(parents=True)
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(prefix / "key.pem"),
         "-out", str(prefix / "cert.pem")],
        check=True, capture_output=True,
    )
    port = free_port()
    processes: list[subprocess.Popen[bytes]] = []

    def start(upstream_port: int) -> None:
        user = "user root;\n" if os.geteuid() == 0 else ""
        config = f"""{user}worker_processes 1;
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{}}
http {{
    access_log off;
    client_body_temp_path {prefix}/tmp/body;
    proxy_temp_path {prefix}/tmp/proxy;
    fastcgi_temp_path {prefix}/tmp/fastcgi;
    uwsgi_temp_path {prefix}/tmp/uwsgi;
    scgi_temp_path {prefix}/tmp/scgi;
    server {{
        listen 127.0.0.1:{port} ssl;
        ssl_certificate {prefix}/cert.pem;
        ssl_certificate_key {prefix}/key.pem;
{_readme_location(upstream_port)}
    }}
}}
"""
        (prefix / "nginx.conf").write_text(config)
        process = subprocess.Popen(
            [nginx, "-c", str(prefix / "nginx.conf"), "-p", str(prefix)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        processes.append(process)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket_to(port):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError((prefix / "error.log").read_text())

    yield port, start
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def socket_to(port: int):
    import socket

    return socket.create_connection(("127.0.0.1", port), timeout=0.5)


def _open_socket(port: int) -> websocket.WebSocket:
    """A browser's websocket behind TLS: wss, and Origin https://host."""
    return websocket.create_connection(
        f"wss://127.0.0.1:{port}/socket.io/?EIO=4&transport=websocket",
        origin=f"https://127.0.0.1:{port}",
        sslopt={"cert_reqs": ssl.CERT_NONE},
        timeout=5,
    )


def _serve(tmp_path: Path, trusted: str) -> LiveServer:
    server = LiveServer(
        tmp_path / f"app{trusted}", extra_env={"PRACTICUM_TRUSTED_PROXIES": trusted}
    )
    server.workdir.mkdir()
    server.start()
    return server


def test_websockets_work_behind_tls_at_nginx_with_the_readme_snippet(tls_proxy, tmp_path):
    port, start = tls_proxy
    server = _serve(tmp_path, "1")
    try:
        start(server.port)
        ws = _open_socket(port)
        opened = ws.recv()
        assert opened.startswith("0{"), opened
        ws.send("40/play,{}")
        assert re.match(r"40/play,\{\"sid\"", ws.recv())
        session = server.create_session("harbor")
        ws.send("42/play,1" + json.dumps(
            ["join_session", {"code": session["joinCode"], "name": "Via TLS",
                              "actionId": "through-nginx-01"}]))
        reply = ws.recv()
        while not reply.startswith("43/play,1"):
            reply = ws.recv()  # views and presence arrive before the ack
        assert json.loads(reply[len("43/play,1"):])[0]["ok"] is True
        ws.close()
    finally:
        server.kill()


def test_without_trusting_the_proxy_the_https_origin_is_refused(tls_proxy, tmp_path):
    port, start = tls_proxy
    server = _serve(tmp_path, "0")
    try:
        start(server.port)
        with pytest.raises(websocket.WebSocketBadStatusException):
            _open_socket(port)
    finally:
        server.kill()
