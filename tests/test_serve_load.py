"""`serve` under load: concurrent readers during rebuilds, a flood of saves, a client that never reads."""

from __future__ import annotations

import socket
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT
from test_serve import WAIT, Preview, save

sys.path.insert(0, str(ROOT / "bench"))
from corpus import write_corpus  # noqa: E402

ENTRY = "---\ntitle: {title}\ndate: 2024-10-28\nsources: [https://example.org/a]\n---\nBody of {title}.\n"


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


@pytest.fixture
def loaded(tmp_path):
    write_corpus(60, tmp_path / "content", seed=5)
    (tmp_path / "content" / "target.md").write_text(ENTRY.format(title="Version 0"))
    server = Preview(tmp_path)
    yield server, tmp_path / "content" / "target.md"
    server.stop()


def test_every_response_is_a_whole_page_of_the_old_or_the_new_site_while_rebuilding(loaded):
    server, target = loaded
    stop = threading.Event()
    versions = [f"Version {i}" for i in range(40)]

    def keep_saving():
        for title in versions[1:]:
            save(target, ENTRY.format(title=title))
        stop.set()

    def read(path):
        status, headers, body = server.get(path)
        assert status == 200, (path, status)
        assert int(headers["Content-Length"]) == len(body.encode("utf-8"))
        assert body.rstrip().endswith("}" if path.endswith(".css") else "</html>"), path
        if path.startswith("/events/target/"):
            assert sum(f">{v}<" in body or f"{v} —" in body for v in versions) >= 1, body[:500]
        return status

    saver = threading.Thread(target=keep_saving)
    saver.start()
    paths = ["/", "/events/target/", "/static/chronicle.css"] * 70  # 210 requests
    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(read, paths))
    saver.join(WAIT)
    assert statuses == [200] * len(paths)
    server.until(lambda body: "Version 39" in body, path="/events/target/")


def test_a_flood_of_saves_keeps_memory_flat_and_settles(loaded):
    server, target = loaded
    server.listen()
    save(target, ENTRY.format(title="Warm up"))
    server.until(lambda body: "Warm up" in body)
    before = rss_kb(server.proc.pid)
    for i in range(1000):
        save(target, ENTRY.format(title=f"Flood {i}"))
    server.until(lambda body: "Flood 999" in body, path="/events/target/")
    after = rss_kb(server.proc.pid)
    assert after - before < 40_000, f"RSS grew from {before} to {after} kB"
    assert server.get("/")[0] == 200


def test_a_client_that_never_reads_the_stream_blocks_nothing(loaded):
    server, target = loaded
    server.listen()
    silent = []
    for _ in range(20):  # twenty tabs that open the stream and never read it
        s = socket.create_connection(("127.0.0.1", server.port), timeout=WAIT)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
        s.sendall(b"GET /__chronicle/live?v=0 HTTP/1.1\r\nHost: x\r\n\r\n")
        silent.append(s)
    try:
        for i in range(30):
            save(target, ENTRY.format(title=f"Still answering {i}"))
        body = server.until(lambda body: "Still answering 29" in body, path="/events/target/")
        assert "Still answering 29" in body
        assert server.get("/")[0] == 200
    finally:
        for s in silent:
            s.close()
