"""Local fake provider servers (127.0.0.1, a free port) and a fake clock for the adapters.

A :class:`FakeServer` answers each (method, path) from a script of :class:`Reply`
objects, consumed in order (the last one repeats), and records every request it got
(headers, body, parsed JSON or multipart form) so tests can check what the adapter
really sent. Handlers can also be functions of the recorded request, which is how
the Stability fake refuses a body that is not multipart/form-data and the Flux fake
applies a strict schema, as the real APIs do.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import io
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from PIL import Image


def tiny_png(color: tuple[int, int, int] = (200, 60, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return buffer.getvalue()


def tiny_png_b64() -> str:
    return base64.b64encode(tiny_png()).decode()


@dataclass
class Reply:
    status: int = 200
    body: Any = b""  # dict/list -> JSON, str -> text, bytes -> as is
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (the slow response)

    def encoded(self) -> tuple[bytes, dict[str, str]]:
        headers = dict(self.headers)
        if isinstance(self.body, dict | list):
            headers.setdefault("content-type", "application/json")
            return json.dumps(self.body).encode(), headers
        if isinstance(self.body, str):
            headers.setdefault("content-type", "text/plain; charset=utf-8")
            return self.body.encode(), headers
        return bytes(self.body), headers


@dataclass
class Recorded:
    method: str
    target: str  # path and query, as sent
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def path(self) -> str:
        return urlsplit(self.target).path

    def json(self) -> Any:
        return json.loads(self.body)

    def is_multipart(self) -> bool:
        return self.headers.get("content-type", "").startswith("multipart/form-data")

    def form(self) -> dict[str, str]:
        """Fields of a multipart/form-data body, parsed as a server would."""
        raw = f"Content-Type: {self.headers['content-type']}\r\n\r\n".encode() + self.body
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(raw)
        if not message.is_multipart():
            raise ValueError("not a multipart body")
        fields = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            fields[name] = part.get_payload(decode=True).decode("utf-8")
        return fields


Handler = Callable[[Recorded], Reply]


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 answering from scripts; use as a context."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self._routes: dict[tuple[str, str], list[Reply | Handler]] = {}
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                recorded = Recorded(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
                reply = server._next(recorded)
                if reply.delay:
                    time.sleep(reply.delay)
                payload, headers = reply.encoded()
                try:
                    self.send_response(reply.status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("content-length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, method: str, path: str, *replies: Reply | Handler) -> FakeServer:
        self._routes[(method, path)] = list(replies)
        return self

    def _next(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            script = self._routes.get((recorded.method, recorded.path))
            if not script:
                return Reply(404, {"detail": "Not Found"})
            item = script.pop(0) if len(script) > 1 else script[0]
        return item(recorded) if callable(item) else item

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        return [
            r
            for r in self.requests
            if (method is None or r.method == method) and (path is None or r.path == path)
        ]

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()


class FakeTime:
    """An injectable sleep and monotonic clock: sleeping only moves the clock."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now

    def options(self) -> dict[str, Any]:
        """Adapter keyword arguments: fake sleep and clock, no jitter (exact backoffs)."""
        return {"sleep": self.sleep, "clock": self.clock, "jitter": lambda: 0.0}
