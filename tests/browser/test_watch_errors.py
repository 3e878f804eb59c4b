"""The browser tests' error watcher (conftest.watch_errors) itself: it must not hide a real failure,
and must not count a request that was aborted only because the test left its page."""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .conftest import open_page, watch_errors

pytestmark = pytest.mark.browser

PAGES = {
    # a request still in flight when the test leaves the page
    "/leave.html": "<script>fetch('/slow')</script>",
    # a request the page itself aborts, and stays
    "/abort.html": "<script>const c = new AbortController(); fetch('/slow', {signal: c.signal})"
                   ".catch(() => { window.aborted = true; }); c.abort();</script>",
    "/missing.html": "<img src='/nothing.png' alt=''>",
    "/plain.html": "<p>plain</p>",
}


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            self.server.release.wait(30)       # answered only when the test is over
        body = PAGES.get(self.path)
        if body is None:
            self.send_error(404)
            return
        data = f"<!doctype html><html lang='en'><title>t</title><link rel='icon' href='data:,'>{body}".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler))
    httpd.daemon_threads = True
    httpd.release = threading.Event()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.release.set()
    httpd.shutdown()
    httpd.server_close()


def test_a_request_aborted_by_leaving_its_page_is_not_an_error(page, server):
    errors = watch_errors(page, [])
    with page.expect_request(f"{server}/slow"):
        page.goto(f"{server}/leave.html")
    open_page(page, f"{server}/plain.html")
    assert errors == []


def test_a_request_aborted_in_a_page_that_stays_is_an_error(page, server):
    errors = watch_errors(page, [])
    page.goto(f"{server}/abort.html")
    page.wait_for_function("window.aborted === true")
    page.wait_for_load_state("networkidle")
    assert errors == [f"failed: {server}/slow net::ERR_ABORTED"]


def test_a_missing_resource_is_an_error_on_every_page_after_it(page, server):
    errors = watch_errors(page, [])
    open_page(page, f"{server}/missing.html")
    open_page(page, f"{server}/plain.html")
    assert errors == [f"HTTP 404: {server}/nothing.png",
                      "console: Failed to load resource: the server responded with a status of 404 (Not Found) "
                      f"({server}/nothing.png)"]
