"""index.html made again from what the last build made: each day's HTML reused while the day is
the same value (the reference: chronicle.render.render_index, the same bytes)."""

from __future__ import annotations

from itertools import chain
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from markupsafe import Markup

from ..model import Day, Timeline
from ..render import TEMPLATE_PAGES, PartMaker, Site, ThemeError, _render, index_context
from .writer import Part

if TYPE_CHECKING:
    import jinja2

_DAYS_MARK = "\x00chronicle-days\x00"
_DAYS_AT_ONCE = 1000  # days looked up in the build cache at a time


def render_index(env: jinja2.Environment, timeline: Timeline, site: Site,
                 days: dict[str, tuple[Day, bytes]] | None = None, fragments: Any = None,
                 joined: bool = True) -> bytes | Iterator[bytes | Part]:
    """Render index.html as render.render_index does, the days spliced in after rendering, so a
    10,000-event page is not copied through Jinja on every save.

    `days` keeps each day's HTML between builds (None: nothing is kept); a day equal to the one
    it was rendered from is reused as it is. fragments: the build cache's days (store.Fragments),
    looked up and kept a thousand days at a time, instead of `days`; joined=False: the page as
    its pieces, each day made as a writer comes to it (a build run once: 100,000 events make a
    400 MB page, never held whole), a day that output/index.html holds as it is to be copied
    from there (Fragments.parts).
    """
    context = index_context(timeline, site)
    maker = PartMaker(env, "day.html", "day", {**context, "timeline": site})
    spliced: list[tuple[Day, ...]] = []  # the days, once render_days is called

    def rendered(groups: tuple[Day, ...]) -> Iterator[bytes | Part]:
        if fragments is not None:  # as the file before holds them, else as the cache does, else made
            yield from fragments.parts("index day", groups, maker.make, None if joined else "index.html",
                                       _DAYS_AT_ONCE)
            return
        for day in groups:
            cached = days.get(day.id) if days is not None else None
            if cached is None or cached[0] != day:
                cached = (day, maker.make(day))
                if days is not None:
                    days[day.id] = cached
            yield cached[1]

    def render_days(groups: tuple[Day, ...]) -> Markup:
        if spliced:
            raise ThemeError(TEMPLATE_PAGES["index"], None, "template error: render_days may be used once a page")
        spliced.append(tuple(groups))
        return Markup(_DAYS_MARK)

    page = _render(env, TEMPLATE_PAGES["index"], {**context, "render_days": render_days})
    if not spliced:
        return page if joined else iter([page])
    head, _, tail = page.partition(_DAYS_MARK.encode())
    pieces = chain([head], rendered(spliced[0]), [tail])
    return joined_pieces(pieces) if joined else pieces


def joined_pieces(pieces: Iterable[bytes | Part]) -> bytes:
    """Join a page's pieces, each a Part's bytes or bytes: a page made whole (no Part of it is copied)."""
    return b"".join(piece.data if type(piece) is Part else piece for piece in pieces)
