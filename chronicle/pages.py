"""Pages beyond the timeline: the sources index and the tag pages, rendered from the theme."""

from __future__ import annotations

from typing import Any

import jinja2

from .model import Timeline


def render_pages(env: jinja2.Environment, timeline: Timeline, common: dict[str, Any],
                 cache: dict[str, object]) -> dict[str, bytes]:
    """Return sources/index.html, tags/index.html and tags/TAG/index.html (issue 4, in progress)."""
    return {}
