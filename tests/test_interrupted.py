"""Interrupted and concurrent builds: output/ is always one whole site, old or new, never missing or mixed."""

from __future__ import annotations

import hashlib
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))
from corpus import write_corpus  # noqa: E402


def manifest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(root: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(ROOT / "build.py"), "build", *extra], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(proc: subprocess.Popen) -> int:
    _, err = proc.communicate()
    assert b"Traceback" not in err, err.decode()
    return proc.returncode


def test_sigkill_at_any_moment_leaves_the_old_site_or_the_new(tmp_path):
    write_corpus(150, tmp_path / "content", seed=3)
    assert finish(build(tmp_path)) == 0
    old = manifest(tmp_path / "output")
    # A different site: one more entry changes the index and two neighbours' pages.
    (tmp_path / "content" / "9999-12-31-last.md").write_text(
        "---\ntitle: The last event\ndate: 9998-12-31\nsources: [https://example.org/x]\n---\nEnd.\n")
    rng = random.Random(7)
    outcomes = set()
    for attempt in range(12):
        proc = build(tmp_path)
        time.sleep(rng.uniform(0.0, 1.2))  # a random moment of the build, not a timing assertion
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        now = manifest(tmp_path / "output")
        assert now, "output/ must never be missing or empty"
        if now == old:
            outcomes.add("old")
        else:
            new = now
            assert "events/9999-12-31-last/index.html" in new, "a mixed site"
            outcomes.add("new")
            old = new  # later kills must leave this one or an identical rebuild
    assert outcomes  # at least one kill happened during a build
    assert finish(build(tmp_path)) == 0
    assert "events/9999-12-31-last/index.html" in manifest(tmp_path / "output")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".chronicle-") and p.name != ".chronicle-cache"]
    assert leftovers == [], "the next build cleans what killed builds left"


def test_two_builds_at_once_do_not_corrupt_the_output(tmp_path):
    write_corpus(120, tmp_path / "content", seed=4)
    first, second = build(tmp_path), build(tmp_path)
    assert finish(first) == 0 and finish(second) == 0
    alone = tmp_path / "alone"
    assert finish(build(tmp_path, "--output", str(alone))) == 0
    assert manifest(tmp_path / "output") == manifest(alone)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".chronicle-") and p.name != ".chronicle-cache"] == []
