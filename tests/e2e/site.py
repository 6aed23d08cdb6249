"""A plain web site on its own origin, for pages that embed Veneer from another one.

Pages are set by the test (path -> HTML) and served by the standard library's HTTP server
on 127.0.0.1, on a port of its own: to the browser it is another site than Veneer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Site:
    def __init__(self, server: ThreadingHTTPServer):
        self.pages: dict[str, str] = {}
        self.origin = f"http://127.0.0.1:{server.server_address[1]}"

    def page(self, path: str, html: str) -> str:
        """Serve ``html`` at ``path``; its URL."""
        self.pages[path] = html
        return self.origin + path


@contextmanager
def running_site() -> Iterator[Site]:
    site: Site

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            html = site.pages.get(self.path.split("?")[0])
            body = (html or "<!doctype html><title>Not found</title>").encode()
            self.send_response(200 if html is not None else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # the test output is for the tests

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    site = Site(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
