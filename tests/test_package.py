"""The package as a user installs it: the wheel and sdist build and pass twine's check, and the wheel,
installed in a fresh venv, builds and serves a folder that holds only content/ (issue 21)."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

from chronicle import __version__
from chronicle.init import DISTRIBUTION
from conftest import ROOT

WAIT = 60  # seconds: a bound on one step, never a sleep
# The build and twine tools as installed, never a module of the checkout: `-m build` would find
# the repository's own build.py first on a PYTHONPATH that names it.
TOOLS = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}

# About 30 s here (the venv, the dependencies from the package index, a build, serve): marked so
# that `-m "not slow"` can leave it out, but run by default, by scripts/test and by CI.
pytestmark = pytest.mark.slow


def run(*argv, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in argv], cwd=cwd, capture_output=True, text=True, timeout=600, env=env)
    assert done.returncode == 0, f"{argv}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    """Build the sdist, then the wheel from it (python -m build), from a copy of the source: building
    writes an egg-info folder beside pyproject.toml, and no test writes into the repository."""
    root = tmp_path_factory.mktemp("package")
    source = root / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    for name in ("chronicle", "theme"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    run(sys.executable, "-m", "build", "--outdir", root / "dist", source, cwd=root, env=TOOLS)
    return root / "dist"


def test_the_name_is_the_distribution_init_installs():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == DISTRIBUTION == "chronicle-timeline"
    assert project["version"] == __version__
    assert project["scripts"] == {"chronicle": "chronicle.cli:main"}  # the command keeps its name


def test_the_wheel_and_sdist_pass_twine_check(dist):
    files = sorted(p.name for p in dist.iterdir())
    assert files == [f"chronicle_timeline-{__version__}-py3-none-any.whl", f"chronicle_timeline-{__version__}.tar.gz"]
    done = run(sys.executable, "-m", "twine", "check", "--strict", *sorted(dist.iterdir()), cwd=dist, env=TOOLS)
    assert done.stdout.count("PASSED") == 2, done.stdout


def test_the_wheel_holds_every_module_and_the_theme(dist):
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    modules = {f"chronicle/{p.relative_to(ROOT / 'chronicle').as_posix()}" for p in (ROOT / "chronicle").rglob("*.py")}
    theme = {f"chronicle/theme/{p.relative_to(ROOT / 'theme').as_posix()}" for p in (ROOT / "theme").rglob("*")
             if p.is_file() and p.parent != ROOT / "theme"}
    assert "chronicle/incremental/engine.py" in modules and "chronicle/theme/templates/index.html" in theme
    assert modules - names == set()
    assert theme - names == set()
    with tarfile.open(next(dist.glob("*.tar.gz"))) as sdist:
        inside = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"pyproject.toml", "README.md", "theme/templates/index.html", "chronicle/incremental/store.py"} <= inside


def test_the_installed_wheel_builds_and_serves_a_folder_holding_only_content(dist, tmp_path):
    environment = tmp_path / "venv"
    venv.create(environment, with_pip=True)
    python, chronicle = environment / "bin" / "python", environment / "bin" / "chronicle"
    # The dependencies come from the package index, as for a user; nothing of this checkout is used.
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")}
    run(python, "-m", "pip", "install", "-q", "--disable-pip-version-check", next(dist.glob("*.whl")),
        cwd=tmp_path, env=env)
    located = run(python, "-c", "import chronicle, chronicle.render as r; print(chronicle.__file__); "
                  "print(r.default_theme())", cwd=tmp_path, env=env).stdout.splitlines()
    assert all(Path(line).is_relative_to(environment) for line in located), located

    site = tmp_path / "site"
    shutil.copytree(ROOT / "content", site / "content")
    events = len([p for p in (site / "content").glob("*.md") if p.name != "_index.md"])
    built = run(chronicle, "build", cwd=site, env=env)
    assert built.stdout.startswith(f"built {events} events, "), built.stdout + built.stderr
    assert sorted(p.name for p in site.iterdir()) == [".chronicle-cache", "content", "output"]
    assert (site / "output" / "static" / "chronicle.css").read_bytes() == (ROOT / "theme/static/chronicle.css").read_bytes()

    server = subprocess.Popen([str(chronicle), "serve", "--port", "0"], cwd=site, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env={**env, "PYTHONUNBUFFERED": "1"})
    try:
        summary, address = server.stdout.readline(), server.stdout.readline()
        assert summary.startswith(f"built {events} events, ") and f"cache: {events} of {events} entries" in summary, \
            summary
        port = re.search(r"http://127\.0\.0\.1:(\d+)/", address)
        assert port, address + server.stderr.read() if server.poll() is not None else address
        connection = http.client.HTTPConnection("127.0.0.1", int(port.group(1)), timeout=WAIT)
        connection.request("GET", "/")
        response = connection.getresponse()
        page = response.read().decode("utf-8")
        connection.close()
        assert response.status == 200
        assert "<title>North Korean troops in Russia" in page and "NATO confirms North Korean units" in page
    finally:
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=WAIT)
    assert server.returncode == 0 and "Traceback" not in err, err
