"""Real permission faults: a build the kernel refuses, in a subprocess, beside test_faults.py's simulated ones.

Root reads and writes anything, and the tests run as root (in CI too), so a
`chmod 000` means nothing to them. The build runs instead as a process that
file modes apply to: as the current user when that is not root; as root, as
the unprivileged user nobody, or, when nobody cannot reach this Python (a
pyenv under /root, which is 0700), as root stripped of every capability, whom
the kernel then holds to file modes like anyone else. A probe proves the way
chosen is refused a mode-000 file and a read-only folder; when no way is, the
tests fail with the reasons: they are never skipped in silence.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import tree

NOBODY = 65534
GOOD = "title: Good\ndate: 2024-10-28\nsources: [https://example.org/a]\n"

# Run as root: clear the capability bounding set, the ambient set and this process's own
# capabilities, then run Python with the arguments given. With an empty bounding set, execve
# gives root no capability back, so file modes apply to it.
DROP_CAPABILITIES = """\
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
PR_CAPBSET_DROP, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 47, 4
with open("/proc/sys/kernel/cap_last_cap") as file:
    last = int(file.read())
for capability in range(last + 1):
    if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
        sys.exit(f"cannot drop capability {capability}: {os.strerror(ctypes.get_errno())}")
libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
if libc.capset(header, (ctypes.c_uint32 * 6)()) != 0:  # effective, permitted, inheritable: none
    sys.exit(f"cannot clear capabilities: {os.strerror(ctypes.get_errno())}")
os.execv(sys.executable, [sys.executable, *sys.argv[1:]])
"""

# The probe: chronicle imports, and both faults the tests make are real for this process.
PROBE = """\
import sys
import chronicle
try:
    open(sys.argv[1], "rb")
    sys.exit("could read a file of mode 000")
except PermissionError:
    pass
try:
    open(sys.argv[2] + "/new", "w")
    sys.exit("could write into a folder of mode 555")
except PermissionError:
    pass
print("refused")
"""


@dataclass
class Way:
    """One way to run Python so that file modes apply to it."""

    name: str
    prefix: list[str]
    options: dict = field(default_factory=dict)
    owner: int | None = None  # chown what the test writes to this user, so it is that user's project

    def run(self, *argv: str, cwd: Path) -> subprocess.CompletedProcess:
        env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HOME": str(cwd)}
        return subprocess.run([*self.prefix, *argv], cwd=cwd, env=env, capture_output=True, text=True,
                              timeout=120, **self.options)

    def give(self, path: Path) -> None:
        """Make path (and everything in it) the project owner's."""
        if self.owner is None:
            return
        for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
            os.chown(item, self.owner, self.owner, follow_symlinks=False)


def _ways() -> list[Way]:
    if os.geteuid() != 0:
        return [Way("the current user", [sys.executable])]
    return [
        Way(f"user {NOBODY} (nobody)", [sys.executable],
            dict(user=NOBODY, group=NOBODY, extra_groups=[]), owner=NOBODY),  # root's groups dropped too
        Way("root without capabilities", [sys.executable, "-c", DROP_CAPABILITIES]),
    ]


def _probe(way: Way, folder: Path) -> str | None:
    """Return why way cannot show real permission faults, or None when it can (folder: empty)."""
    locked, read_only = folder / "locked", folder / "read-only"
    locked.write_text("x")
    read_only.mkdir()
    way.give(folder)
    locked.chmod(0)
    read_only.chmod(0o555)
    try:
        done = way.run("-c", PROBE, str(locked), str(read_only), cwd=folder)
    except OSError as error:  # the interpreter itself cannot be run by that user
        return f"cannot run {sys.executable}: {error.strerror}"
    finally:
        read_only.chmod(0o755)
    if done.returncode == 0 and done.stdout.strip() == "refused":
        return None
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def _open_to_others(folder: Path) -> dict[Path, int]:
    """Let other users pass through every folder above (not list it); return the modes to restore."""
    changed = {}
    for place in [folder, *folder.parents]:
        mode = stat.S_IMODE(place.stat().st_mode)
        if not mode & stat.S_IXOTH:
            changed[place] = mode
            place.chmod(mode | stat.S_IXOTH)
    return changed


@pytest.fixture(scope="module")
def way(tmp_path_factory):
    """The first way that really is refused what a mode forbids; fail, naming why, when none is."""
    base = tmp_path_factory.getbasetemp()
    opened = _open_to_others(base) if os.geteuid() == 0 else {}  # pytest's temporary folders are 0700
    reasons = []
    chosen = None
    try:
        for number, candidate in enumerate(_ways()):
            reason = _probe(candidate, tmp_path_factory.mktemp(f"probe{number}"))
            if reason is None:
                chosen = candidate
                break
            reasons.append(f"{candidate.name}: {reason}")
        if chosen is None:
            pytest.fail("no way to run a build that file permissions apply to — " + "; ".join(reasons))
        if chosen.owner is None:
            for place, mode in opened.items():
                place.chmod(mode)
            opened = {}
        yield chosen
    finally:
        for place, mode in opened.items():
            place.chmod(mode)


@pytest.fixture
def site(way, tmp_path) -> Path:
    """An empty project folder that the way's user owns and can reach."""
    if way.owner is not None:
        tmp_path.chmod(0o711)
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    way.give(root)
    return root


def write(way: Way, path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    way.give(path)
    return path


def test_an_entry_the_user_cannot_read(way, site):
    locked = write(way, site / "content" / "locked.md", "---\n" + GOOD + "---\nText.\n")
    write(way, site / "content" / "good.md", "---\n" + GOOD.replace("Good", "Other") + "---\nText.\n")
    write(way, site / "content" / "untitled.md", "---\ndate: 2024-10-29\nsources: [https://a.org]\n---\n")
    write(way, site / "content" / "typo.md", "---\ntitle: Typo\ndate: 2024-10-29\nsorces: [https://a.org]\n---\n")
    locked.chmod(0)
    try:
        done = way.run("-m", "chronicle", "build", cwd=site)
    finally:
        locked.chmod(0o644)
    lines = done.stderr.splitlines()
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    # The other entries are still read, and reported at their lines.
    assert lines == [
        "content/locked.md: error: cannot be read: Permission denied",
        "content/typo.md:4: warning: unknown field 'sorces' — did you mean 'sources'? As written, the event has no sources",
        "content/untitled.md:1: error: title is missing — add a line such as `title: What happened`",
        "build failed: 2 errors, 1 warning; output was left as it was",
    ]
    assert not (site / "output").exists()


def test_a_read_only_folder_for_the_output_keeps_the_last_good_site(way, site):
    write(way, site / "content" / "_index.md", "---\nbase_url: https://example.org/\n---\n")  # no base_url warning
    write(way, site / "content" / "good.md", "---\n" + GOOD + "---\nText.\n")
    first = way.run("-m", "chronicle", "build", cwd=site)
    assert first.returncode == 0, first.stderr
    before = tree(site / "output")
    assert "events/good/index.html" in before
    write(way, site / "content" / "second.md", "---\n" + GOOD.replace("Good", "Second") + "---\nText.\n")
    site.chmod(0o555)  # the folder that holds output/: no staging folder can be made beside it
    try:
        done = way.run("-m", "chronicle", "build", cwd=site)
    finally:
        site.chmod(0o755)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0] == (
        "output: error: cannot write the site: Permission denied — the previous site was left as it was")
    assert tree(site / "output") == before
    assert [p.name for p in site.iterdir() if p.name.startswith((".chronicle-staging-", ".chronicle-retired-"))] == []
