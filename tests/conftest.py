"""Shared helpers: small content folders made in the test, and the command line run as a user runs it."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from chronicle.cli import main
from chronicle.entries import make_markdown
from chronicle.markup import _PREPROCESSORS, PLAIN_PARAGRAPH

ROOT = Path(__file__).resolve().parent.parent


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under folder, by its posix path relative to folder, with its bytes (in path order)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def shipped_markdown():
    """Return Chronicle's Markdown converter with Python-Markdown's preprocessors, block parser and
    inline stage as shipped, without the shortcuts over plain text (markup._Unless, _PlainParagraph,
    _PlainTextInline), to compare the two."""
    from markdown.treeprocessors import InlineProcessor

    md = make_markdown()
    md.treeprocessors.register(InlineProcessor(md), "inline", 20)
    md.parser.blockprocessors.deregister(PLAIN_PARAGRAPH)
    for name, (priority, *_) in _PREPROCESSORS.items():
        md.preprocessors.register(md.preprocessors[name].shipped, name, priority)
    return md


@dataclass
class Run:
    """What the user sees after one command: exit status and both streams."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return self.err.splitlines()


class Project:
    """A folder with content/ in it, where commands run as `chronicle …` would."""

    def __init__(self, root: Path, capsys, monkeypatch):
        self.root = root
        self.content = root / "content"
        self.content.mkdir()
        self._capsys = capsys
        monkeypatch.chdir(root)

    def write(self, name: str, text: str, *, dedent: bool = True) -> Path:
        path = self.content / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n") if dedent else text, encoding="utf-8")
        return path

    def entry(self, name: str, front: str, body: str = "Text.\n") -> Path:
        return self.write(name, "---\n" + textwrap.dedent(front).strip("\n") + "\n---\n" + body, dedent=False)

    def run(self, *argv: str) -> Run:
        self._capsys.readouterr()
        code = main(list(argv))
        captured = self._capsys.readouterr()
        return Run(code, captured.out, captured.err)

    def read(self, relative: str) -> str:
        return (self.root / "output" / relative).read_text(encoding="utf-8")


@pytest.fixture
def project(tmp_path, capsys, monkeypatch) -> Project:
    return Project(tmp_path, capsys, monkeypatch)


SOURCE = "https://example.org/report"


@pytest.fixture
def sourced():
    """Front matter lines for a source, so a test's event is warning-free."""
    return f"sources: [{SOURCE}]"
