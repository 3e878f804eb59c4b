"""The theme's templates compiled once for a build's processes, by a process of their own.

Jinja compiles a template the first time a process asks for it: at 10,000 events
both render workers compiled most of the theme, a third of their time in an edit.
A build that will render with workers forks one process at its start to compile
them all while this one reads the entries (workers.fork_call), and gives the
code to its environment through Jinja's own bytecode cache, held in memory:
the workers, forked later, start with it. Nothing is kept on disk (the build
cache is never trusted to run anything: SECURITY.md). Jinja checks each code
against the template's source, so a template changed meanwhile is compiled anew.
"""

from __future__ import annotations

import jinja2

from ..render import Theme, make_environment


class Compiled(jinja2.BytecodeCache):
    """Jinja's bytecode cache, in memory: each template's code as Jinja's bucket writes it, by its key."""

    def __init__(self, codes: dict[str, bytes] | None = None):
        self.codes = dict(codes or {})

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.codes.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # refused (compiled anew) when its source has changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.key] = bucket.bytecode_to_string()


def compile_theme(theme: Theme) -> dict[str, bytes]:
    """Compile every template of the theme; return their codes, by key. A template that fails is left
    out: the build compiles it again and says where it fails."""
    env = make_environment(theme)
    env.bytecode_cache = compiled = Compiled()
    for name in env.list_templates():
        try:
            env.get_template(name)
        except Exception:
            pass
    return compiled.codes
