"""HTTP for the review desk: this machine only, a few worker threads fed by a bounded queue,
and the checks that keep other sites out.

A thread per request let any page (or any site, with ``<img>`` tags pointing at
``/search``) start searches without limit, and one lock then made every page wait for them.
Here ``WORKERS`` threads take connections from a queue of at most ``QUEUE``; when it is full
the connection is answered ``503`` at once, with ``Retry-After``, instead of waiting. The
application keeps some workers for pages (``factcheck.serve``).

Requests another site could make a browser send are refused: the ``Host`` of every request
must name this machine (DNS rebinding), and a post must come from this server's own pages
(``Origin``) with the per-server token of its forms. A client that goes away before its
answer is written is noted in one line, not logged as an error.
"""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import queue
import socket
import sys
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

from ..errors import FactcheckError

WORKERS, QUEUE = 8, 32
MAX_BODY = 64 * 1024  # a decision form is a few hundred bytes
DRAIN_LIMIT = 1 << 20  # read at most this much of a refused body, so the client gets the answer
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}
_BUSY_TEXT = b"The desk is busy: try again in a moment.\n"
BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 1\r\nConnection: close\r\n"
    + f"Content-Length: {len(_BUSY_TEXT)}\r\n\r\n".encode()
    + _BUSY_TEXT
)


class ServeError(FactcheckError):
    """The page cannot be served as asked: an address open to others, a port in use."""


class Refused(Exception):
    """A request answered with an error page (its message is shown, escaped)."""

    def __init__(self, status: HTTPStatus, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.retry_after = retry_after


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and addresses of this machine only (127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, allow_remote: bool) -> None:
    """Any address but this machine's own needs ``allow_remote``: whoever reaches the page
    can read the index and change the decisions."""
    if not allow_remote and not is_loopback(host):
        raise ServeError(
            f"{host!r} is not an address of this machine only: anyone who can reach it could "
            "read the index and record decisions. Use 127.0.0.1 (the default), or "
            "--allow-remote if that is what you want"
        )


class PoolServer(HTTPServer):
    """An HTTP server whose connections wait in a bounded queue for ``workers`` threads;
    a connection that finds the queue full is answered 503 by the accepting thread."""

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        allow_remote: bool = False,
        workers: int = WORKERS,
        queue_size: int = QUEUE,
    ) -> None:
        self.allow_remote = allow_remote
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.waiting: queue.Queue[tuple[socket.socket, object] | None] = queue.Queue(queue_size)
        super().__init__(address, handler)
        self.workers = [
            threading.Thread(target=self._work, name=f"factcheck-web-{i}", daemon=True)
            for i in range(workers)
        ]
        for thread in self.workers:
            thread.start()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        host = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{host}:{port}/"

    def process_request(self, request: socket.socket, client_address: object) -> None:
        try:
            self.waiting.put_nowait((request, client_address))
        except queue.Full:
            self._busy(request)

    def _busy(self, request: socket.socket) -> None:
        """Answer 503 without a worker. The request is read first (briefly): closing a socket
        with unread data resets it, and the client would never see the answer."""
        try:
            request.settimeout(0.1)
            with contextlib.suppress(TimeoutError):
                request.recv(65536)
            request.sendall(BUSY)
        except OSError:
            pass  # the client is gone already
        self.shutdown_request(request)

    def _work(self) -> None:
        while (item := self.waiting.get()) is not None:
            request, client_address = item
            try:
                self.finish_request(request, client_address)
            except Exception:
                self.handle_error(request, client_address)
            finally:
                self.shutdown_request(request)
                self.waiting.task_done()
        self.waiting.task_done()

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away is no error of the server's: no traceback for it."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def server_close(self) -> None:
        """Stop the workers (each finishes its request), then close the socket."""
        for _ in self.workers:
            self.waiting.put(None)
        for thread in self.workers:
            thread.join(timeout=5)
        super().server_close()


class Handler(BaseHTTPRequestHandler):
    """GET, HEAD (GET without the body) and POST, each checked, then routed to ``get`` or
    ``post``; refusals and errors a user can act on become pages (``error_page``)."""

    server: PoolServer
    server_version = "factcheck"
    timeout = 30  # a client that stops sending mid-request frees its worker
    head = False

    def get(self) -> None:
        raise Refused(HTTPStatus.NOT_FOUND, "no such page")

    def post(self) -> None:
        raise Refused(HTTPStatus.NOT_FOUND, "no such page")

    def error_page(self, status: HTTPStatus, message: str) -> bytes:
        """The body of an error answer; ``message`` is not escaped yet."""
        return f"{status.phrase}: {message}\n".encode()

    default_type = "text/plain; charset=utf-8"  # of ``send`` without one, and of errors

    def do_GET(self) -> None:
        self._handle(self.get)

    def do_HEAD(self) -> None:
        self.head = True
        self._handle(self.get)

    def do_POST(self) -> None:
        self._handle(self.post)

    def _handle(self, route: Callable[[], None]) -> None:
        try:
            try:
                self._check_host()
                route()
            except Refused as exc:
                headers = {"Retry-After": str(exc.retry_after)} if exc.retry_after else {}
                self.send(exc.status, self.error_page(exc.status, str(exc)), headers=headers)
            except (FactcheckError, ValueError) as exc:
                self.send(HTTPStatus.BAD_REQUEST, self.error_page(HTTPStatus.BAD_REQUEST, str(exc)))
            except ConnectionError:
                raise
            except Exception as exc:
                self.log_error("%s on %s: %r", type(exc).__name__, self.path, exc)
                status = HTTPStatus.INTERNAL_SERVER_ERROR
                self.send(status, self.error_page(status, "something went wrong"))
        except ConnectionError:
            self.close_connection = True
            self.log_message("%s: the client left before its answer", self.path)

    def _check_host(self) -> None:
        """A page on this machine answers only to this machine's names, so a site whose name
        was made to point here (DNS rebinding) cannot read it or get its form token."""
        host = self.headers.get("Host")
        if self.server.allow_remote or host is None:
            return
        try:
            hostname = urlsplit("//" + host).hostname
        except ValueError:
            hostname = None
        if not hostname or not is_loopback(hostname):
            raise Refused(HTTPStatus.BAD_REQUEST, f"this page is not served as {host!r}")

    def check_post(self, token: str) -> dict[str, str]:
        """The form of a post from this server's own page, with the right ``token``."""
        origin = self.headers.get("Origin")
        host = self.headers.get("Host")
        if origin is not None and (host is None or origin.lower() != f"http://{host}".lower()):
            raise Refused(HTTPStatus.FORBIDDEN, "a form from another site cannot post here")
        form = self._form()
        if not hmac.compare_digest(form.get("csrf", "").encode(), token.encode()):
            raise Refused(
                HTTPStatus.FORBIDDEN,
                "the form's token is missing or out of date: reload the page and try again",
            )
        return form

    def _form(self) -> dict[str, str]:
        """The url-encoded body, at most ``MAX_BODY`` bytes; the last value of each field."""
        try:
            size = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            size = -1
        if size < 0:
            raise Refused(HTTPStatus.BAD_REQUEST, "bad Content-Length")
        if size > MAX_BODY:
            self._drain(size)
            raise Refused(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, f"a form is at most {MAX_BODY:,} bytes"
            )
        try:
            body = self.rfile.read(size).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Refused(HTTPStatus.BAD_REQUEST, "the form is not UTF-8") from exc
        fields = parse_qs(body, keep_blank_values=True, max_num_fields=32)
        return {k: v[-1] for k, v in fields.items()}

    def _drain(self, size: int) -> None:
        """Read (and drop) a refused body, so closing the socket does not reset it before
        the client reads the answer."""
        self.close_connection = True
        left = min(size, DRAIN_LIMIT)
        try:
            while left > 0 and (chunk := self.rfile.read(min(left, 65536))):
                left -= len(chunk)
        except OSError:
            pass

    def query(self) -> dict[str, str]:
        """The query string's fields, the last value of each."""
        fields = parse_qs(urlsplit(self.path).query, max_num_fields=32)
        return {k: v[-1] for k, v in fields.items()}

    def send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        """The answer with the security headers; HEAD gets the headers only."""
        self.send_response(status)
        self.send_header("Content-Type", content_type or self.default_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        for name, value in {**SECURITY_HEADERS, **(headers or {})}.items():
            self.send_header(name, value)
        self.end_headers()
        if not self.head:
            self.wfile.write(body)

    def redirect(self, location: str) -> None:
        """303 See Other to ``location`` (a path of this server)."""
        self.send_response(HTTPStatus.SEE_OTHER)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        self.end_headers()
