"""Media: what an entry's `media:` names, read from its front matter, and the files it publishes.

Two steps. `read_media` turns the front matter into Media values (entries.py calls it; no file
is opened). `publish` is the stage after reading: each local file is read, checked and measured,
pictures are made in a few widths (Pillow), and the events come back with their media measured,
with the files to write beside the pages, `{path: bytes}`. Nothing is fetched from the network:
a link is shown as a card, and a third party's player only when the reader asks for it.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterable, MutableMapping
from html import escape, unescape
from urllib.parse import parse_qs, quote, unquote, urlsplit

from .diagnostics import Report
from .model import SITE_ROOT, Event, Media, Picture

MEDIA_FIELDS = ("src", "alt", "caption", "credit", "link", "type")
KINDS = ("image", "video", "audio", "document", "embed", "link")
_REMOTE = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")  # a scheme, or another host: not a file of the site

_IMAGE = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
          ".avif": "image/avif", ".gif": "image/gif", ".svg": "image/svg+xml"}
_VIDEO = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm", ".ogv": "video/ogg",
          ".mov": "video/quicktime"}
_AUDIO = {".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".ogg": "audio/ogg",
          ".oga": "audio/ogg", ".opus": "audio/ogg", ".wav": "audio/wav", ".flac": "audio/flac"}
_DOCUMENT = {".pdf": "application/pdf", ".csv": "text/csv", ".txt": "text/plain",
             ".doc": "application/msword", ".odt": "application/vnd.oasis.opendocument.text",
             ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             ".zip": "application/zip", ".json": "application/json", ".geojson": "application/geo+json",
             ".kml": "application/vnd.google-earth.kml+xml", ".gpx": "application/gpx+xml"}
_KIND_OF = {**{s: "image" for s in _IMAGE}, **{s: "video" for s in _VIDEO}, **{s: "audio" for s in _AUDIO},
            **{s: "document" for s in _DOCUMENT}}
MIME = {**_IMAGE, **_VIDEO, **_AUDIO, **_DOCUMENT}

# Pictures: the widths made for srcset (those narrower than the picture), and the largest side a
# published picture may have; a larger or heavier one is published resized, never copied as it is.
WIDTHS = (480, 960, 1600)
LARGEST = 2400
HEAVIEST = 4 * 1024 * 1024
_OWN_FORMAT = {"JPEG": ".jpg", "PNG": ".png"}  # formats whose smaller sizes are made in that format too


# --- reading `media:` ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Provider:
    """A site whose links are shown as a card, and played in place (embed) after the reader's click."""

    name: str
    hosts: tuple[str, ...]
    embed: Callable[[Any], str | None] = lambda parts: None  # the player's address, or None: a card only


def _youtube(parts) -> str | None:
    host, path = parts.hostname or "", parts.path
    if host.endswith("youtu.be"):
        video = path.strip("/").split("/")[0]
    elif path.startswith(("/embed/", "/shorts/", "/live/")):
        video = path.split("/")[2]
    else:
        video = (parse_qs(parts.query).get("v") or [""])[0]
    return f"https://www.youtube-nocookie.com/embed/{quote(video)}" if re.fullmatch(r"[\w-]{6,20}", video) else None


def _vimeo(parts) -> str | None:
    number = re.search(r"/(\d{5,12})(?:/|$)", parts.path)
    return f"https://player.vimeo.com/video/{number.group(1)}" if number else None


def _post_number(pattern: str, player: str) -> Callable[[Any], str | None]:
    def embed(parts) -> str | None:
        found = re.search(pattern, parts.path)
        return player.format(found.group(1)) if found else None
    return embed


def _mastodon(parts) -> str | None:
    if re.fullmatch(r"/@[\w.]+(@[\w.-]+)?/\d+/?", parts.path):
        return f"https://{parts.hostname}{parts.path.rstrip('/')}/embed"
    return None


def _google_maps(parts) -> str | None:
    if parts.path.startswith("/maps/embed"):
        return parts.geturl()
    return None


def _openstreetmap(parts) -> str | None:
    found = re.search(r"map=(\d+)/(-?[\d.]+)/(-?[\d.]+)", parts.fragment or parts.query)
    if not found:
        return None
    zoom, lat, lon = int(found.group(1)), float(found.group(2)), float(found.group(3))
    half = 180 / 2 ** zoom  # about the width a zoom level shows, in degrees of longitude
    box = f"{lon - half:.4f},{lat - half / 2:.4f},{lon + half:.4f},{lat + half / 2:.4f}"
    return f"https://www.openstreetmap.org/export/embed.html?bbox={quote(box)}&layer=mapnik&marker={lat},{lon}"


def _soundcloud(parts) -> str | None:
    if parts.path.strip("/").count("/") >= 1:
        return "https://w.soundcloud.com/player/?url=" + quote(parts.geturl(), safe="")
    return None


def _documentcloud(parts) -> str | None:
    found = re.search(r"/documents/([\w-]+)", parts.path)
    return f"https://embed.documentcloud.org/documents/{found.group(1)}/" if found else None


PROVIDERS = (
    Provider("YouTube", ("youtube.com", "youtu.be", "youtube-nocookie.com"), _youtube),
    Provider("Vimeo", ("vimeo.com",), _vimeo),
    Provider("X", ("twitter.com", "x.com"), _post_number(r"/status(?:es)?/(\d+)",
                                                         "https://platform.twitter.com/embed/Tweet.html?id={}")),
    Provider("Bluesky", ("bsky.app",)),  # its player needs the account's DID, which a link does not give
    Provider("Instagram", ("instagram.com",), _post_number(r"/(?:p|reel)/([\w-]+)",
                                                           "https://www.instagram.com/p/{}/embed")),
    Provider("TikTok", ("tiktok.com",), _post_number(r"/video/(\d+)", "https://www.tiktok.com/embed/v2/{}")),
    Provider("Wikipedia", ("wikipedia.org",)),  # refuses to be framed: a card with its link
    Provider("Google Maps", ("google.com/maps", "maps.google.com", "maps.app.goo.gl", "goo.gl/maps"), _google_maps),
    Provider("OpenStreetMap", ("openstreetmap.org", "osm.org"), _openstreetmap),
    Provider("DocumentCloud", ("documentcloud.org",), _documentcloud),
    Provider("SoundCloud", ("soundcloud.com",), _soundcloud),
)
# Mastodon runs on many hosts: a link shaped as its posts are (https://host/@name/123) is one.
_MASTODON = Provider("Mastodon", (), _mastodon)


def provider_of(url: str) -> Provider | None:
    """Return the known site a link is on (YouTube, Wikipedia …), or None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    where = host + parts.path
    for provider in PROVIDERS:
        for name in provider.hosts:
            if "/" in name:
                if where == name or where.startswith((name + "/", "www." + name + "/")) or \
                        where.endswith("." + name) or ("." + name + "/") in "." + where:
                    return provider
            elif host == name or host.endswith("." + name):
                return provider
    if re.fullmatch(r"/@\w[\w.]*(@[\w.-]+)?/\d+/?", parts.path):
        return _MASTODON
    return None


class MediaProblem(Exception):
    """What is wrong with one media item, as the sentence an error says."""


def read_item(item: Any, entry: PurePosixPath, check_url: Callable[[str], str | None],
              inline: Callable[[str], str], line: int | None) -> Media:
    """Read one item of `media:` (a mapping, or a bare src) into a Media, or raise MediaProblem.

    entry: the entry's path below the content folder, which a relative src is read from.
    """
    if isinstance(item, str):
        item = {"src": item}
    if not isinstance(item, dict):
        raise MediaProblem("a media item must be a file or a link, or fields such as `src:` and `alt:`")
    texts: dict[str, str | None] = {}
    for key in MEDIA_FIELDS:
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip() and key != "alt"):
            texts[key] = None
        elif isinstance(value, (str, int, float)) and not isinstance(value, bool):
            texts[key] = " ".join(str(value).split())
        else:
            raise MediaProblem(f"media {key} must be text")
    src = texts["src"]
    if not src:
        raise MediaProblem("a media item needs `src:`, a file beside the entry (map.png) or a link — "
                           "write src: map.png")
    kind = texts["type"]
    if kind is not None and kind.lower() not in KINDS:
        raise MediaProblem(f"media type '{kind}' is not one Chronicle knows — write one of {', '.join(KINDS)}, "
                           "or leave it out to go by the file")
    if texts["link"] and (problem := check_url(texts["link"])):
        raise MediaProblem(f"media link: {problem}")
    remote = bool(_REMOTE.match(src))
    provider = None
    if remote:
        if problem := check_url(src):
            raise MediaProblem(f"media src: {problem}")
        provider = provider_of(src)
        suffix = PurePosixPath(urlsplit(src).path).suffix.lower()
        file = None
    else:
        file = _local_path(src, entry)
        suffix = PurePosixPath(file).suffix.lower()
    found = kind.lower() if kind else ("embed" if provider else _KIND_OF.get(suffix, "link" if remote else ""))
    if not found:
        raise MediaProblem(f"media src '{src}': Chronicle does not know a '{suffix or 'file without a suffix'}' "
                           "file — use an image (JPEG, PNG, WebP, AVIF, GIF, SVG), a video or audio file, a PDF, "
                           "or say which with `type: document`")
    if found == "embed" and provider is None:
        raise MediaProblem(f"media src '{src}' is not a link to a site Chronicle can embed — leave out "
                           "`type: embed` to show it as a link card")
    if found in ("embed", "link") and not remote:
        raise MediaProblem(f"media type {found} is for a link, not a file — write the link in src:")
    if found == "image" and item.get("alt") is None:
        raise MediaProblem("media alt is missing: a reader who cannot see the image gets nothing — describe it "
                           "in alt: \"…\", or write alt: \"\" if it is only decoration")
    return Media(src=src, kind=found, file=file, alt=texts["alt"],
                 caption=inline(texts["caption"]) if texts["caption"] else "",
                 credit=inline(texts["credit"]) if texts["credit"] else "",
                 link=texts["link"], provider=provider.name if provider else "",
                 embed=(provider.embed(urlsplit(src)) or "") if provider else "",
                 mime=MIME.get(suffix, ""), line=line)


def _local_path(src: str, entry: PurePosixPath) -> str:
    """Return a local src as a path below the content folder: beside the entry, or from content/ with '/'."""
    if "\\" in src or "\x00" in src:
        raise MediaProblem(f"media src '{src}' — write a path with / between folders")
    joined = src.lstrip("/") if src.startswith("/") else posixpath.join(str(entry.parent), src)
    normal = posixpath.normpath(joined)
    if normal.startswith("../") or normal == ".." or normal in ("", "."):
        raise MediaProblem(f"media src '{src}' is outside the content folder — put the file beside the entry "
                           "or below content/")
    if any(part.startswith(".") for part in PurePosixPath(normal).parts):
        raise MediaProblem(f"media src '{src}' is in a hidden folder or file — move it out of the '.' folder")
    return normal


# --- publishing the files ---------------------------------------------------------------------------------


class MediaFileError(Exception):
    """A media file that cannot be published, said as the end of an error about it."""


@dataclass(frozen=True)
class Made:
    """What a file publishes: its measure (a picture's), its size, and the files it makes by name."""

    picture: Picture | None
    size: int
    files: tuple[tuple[str, bytes], ...]


def output_name(file: str) -> str:
    """Return where a file of the content folder is published: at its path below content/ (Hugo's
    page bundles: content/kursk/map.jpg is output/kursk/map.jpg)."""
    return file


def make(file: str, data: bytes, kind: str) -> Made:
    """Make what one media file publishes: a picture in its widths and as WebP, any other file as it is."""
    name = output_name(file)
    if kind != "image":
        return Made(None, len(data), ((name, data),))
    suffix = PurePosixPath(file).suffix.lower()
    if suffix == ".svg":
        width, height = svg_size(data)
        return Made(Picture(width, height, ()), len(data), ((name, data),))
    return _make_picture(name, data)


def _make_picture(name: str, data: bytes) -> Made:
    try:
        from PIL import Image, ImageOps
    except ImportError:  # a dependency; said plainly should an install leave it out
        raise MediaFileError("cannot be read without Pillow — pip install Pillow") from None
    try:
        with Image.open(io.BytesIO(data)) as opened:
            form = opened.format
            animated = getattr(opened, "is_animated", False)
            opened.load()
            image = ImageOps.exif_transpose(opened)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
        raise MediaFileError(f"is not an image Chronicle can read ({error}) — save it again as JPEG, PNG or WebP") \
            from None
    width, height = image.size
    stem, suffix = posixpath.splitext(name)
    files: list[tuple[str, bytes]] = []
    if animated or form == "GIF":  # an animation is published as it is: resizing would keep one frame
        return Made(Picture(width, height, ()), len(data), ((name, data),))
    own = _OWN_FORMAT.get(form or "")
    if max(width, height) > LARGEST or len(data) > HEAVIEST:
        image.thumbnail((LARGEST, LARGEST), Image.Resampling.LANCZOS)
        width, height = image.size
        data = _encode(image, form if own else "WEBP")
        if not own:
            name = stem + ".webp"
    files.append((name, data))
    variants: list[tuple[int, str, str]] = []
    for target in [w for w in WIDTHS if w < width] + [width]:
        small = image if target == width else image.resize((target, round(height * target / width)),
                                                            Image.Resampling.LANCZOS)
        if own and target != width:
            path = f"{stem}.{target}w{own}"
            files.append((path, _encode(small, form)))
            variants.append((target, path, MIME[own]))
        if not name.endswith(".webp") or target != width:
            path = f"{stem}.{target}w.webp"
            files.append((path, _encode(small, "WEBP")))
            variants.append((target, path, "image/webp"))
    if own:
        variants.append((width, name, MIME[own]))
    elif name.endswith(".webp"):
        variants.append((width, name, "image/webp"))
    return Made(Picture(width, height, tuple(variants)), len(data), tuple(files))


def _encode(image, form: str) -> bytes:
    out = io.BytesIO()
    if form == "JPEG":
        image.convert("RGB").save(out, "JPEG", quality=82, optimize=True, progressive=True)
    elif form == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


_LENGTH = re.compile(r"^\s*([\d.]+)\s*(px)?\s*$")


def svg_size(data: bytes) -> tuple[int, int]:
    """Return an SVG's width and height: its own, else its viewBox's; an error when it has neither."""
    import xml.etree.ElementTree as ElementTree

    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as error:
        raise MediaFileError(f"is not a readable SVG ({error}) — save it again from the drawing program") from None
    if not root.tag.endswith("svg"):
        raise MediaFileError("is not an SVG drawing — its first element is not <svg>")
    width, height = (_LENGTH.match(root.get(name) or "") for name in ("width", "height"))
    box = (root.get("viewBox") or "").replace(",", " ").split()
    if width and height:
        return round(float(width.group(1))), round(float(height.group(1)))
    if len(box) == 4:
        w, h = float(box[2]), float(box[3])
        if w > 0 and h > 0:
            return round(w), round(h)
    raise MediaFileError("has no width and height nor viewBox — give the <svg> a viewBox, "
                         "so that its page keeps room for it")


Memo = MutableMapping[bytes, Made]


def memo_key(file: str, data: bytes, kind: str) -> bytes:
    """Return what a file's publication is keyed by: its bytes, its place and kind, and how pictures are made."""
    return hashlib.blake2b(b"\0".join([repr((WIDTHS, LARGEST, HEAVIEST, 1)).encode(), file.encode(),
                                       kind.encode(), data]), digest_size=20).digest()


def publish(events: Iterable[Event], content: Path, report: Report, memo: Memo | None = None,
            read: Callable[[Path], bytes] = Path.read_bytes) -> tuple[list[Event], dict[str, bytes]]:
    """Read every local media file the events name; return the events with their media measured, and
    the files to publish by output path. Each problem is an error naming the entry, its line and the file.
    memo: what each file made before, by memo_key (the engine's; the reference makes every file anew)."""
    published: list[Event] = []
    files: dict[str, bytes] = {}
    made_for: dict[str, Made | None] = {}
    for event in events:
        if not event.media or not any(item.file for item in event.media):  # most events: no file of theirs
            published.append(event)
            continue
        measured = []
        for item in event.media:
            if item.file is None:
                measured.append(item)
                continue
            if item.file not in made_for:
                made_for[item.file] = _made(item, content, event, report, memo, read)
            made = made_for[item.file]
            if made is None:
                continue
            files.update(made.files)
            measured.append(replace(item, url=made.files[0][0], picture=made.picture, size=made.size))
        published.append(replace(event, media=tuple(measured)))
    # A body with no attribute links to no file (most bodies: no picture, no link).
    return [_bundled(event, content, report, read, files) if event.attributed else event
            for event in published], files


# --- files the text links to ------------------------------------------------------------------------------

# A link in the body's HTML (Markdown's and the author's own): src, href or poster, quoted either way.
_LINK = re.compile(r"""(\s(src|href|poster)\s*=\s*)(["'])(.*?)\3""", re.IGNORECASE | re.DOTALL)


def _bundled(event: Event, content: Path, report: Report, read: Callable[[Path], bytes],
             files: dict[str, bytes]) -> Event:
    """Publish each file beside the entry (or below it) that the text links to, as Hugo's page bundles
    do (`![The map](map.png)`, `[the ruling](ruling.pdf)`), at its path below content/, the link made
    from the root of whichever page shows it (SITE_ROOT). An image, video or audio file the text shows
    beside the entry that is not there is an error: the page would show a hole. A link to no file is
    left as written (`/favicon.ico` may be one of the site's own files, static/)."""
    try:
        entry = PurePosixPath(Path(event.path).relative_to(content).as_posix())
    except ValueError:  # not an entry of this content folder: nothing beside it
        return event

    def linked(match: re.Match) -> str:
        written = unescape(match.group(4))
        if not written.strip() or _REMOTE.match(written) or written.startswith(("#", "?")):  # the page itself
            return match.group(0)
        parts = urlsplit(written)
        try:
            file = _local_path(unquote(parts.path), entry)
        except MediaProblem:
            return match.group(0)
        path = content / file
        if PurePosixPath(file).suffix.lower() in (".md", ".markdown") or path.is_symlink() or not path.is_file():
            if match.group(2).lower() != "href" and not written.startswith("/") and not path.exists():
                report.error(Path(event.path), _line_of(event.path, match.group(4)),
                             f"the text shows '{written}', which is not there ({path}) — put the file beside the "
                             "entry, or write its address with https://")
            return match.group(0)
        if file not in files:
            try:
                files[file] = read(path)
            except OSError as error:
                report.error(Path(event.path), _line_of(event.path, match.group(4)),
                             f"the file the text links to, {path}, cannot be read: {error.strerror or error}")
                return match.group(0)
        address = SITE_ROOT + quote(file, safe="/-_.~") + (f"?{parts.query}" if parts.query else "") + \
            (f"#{parts.fragment}" if parts.fragment else "")
        return f"{match.group(1)}{match.group(3)}{escape(address)}{match.group(3)}"

    body = _LINK.sub(linked, event.body)
    return event if body == event.body else replace(event, body=body)


def _line_of(entry: str, written: str) -> int | None:
    """The line of the entry where a link is written (for an error about it), if it can be found."""
    try:
        text = Path(entry).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    for needle in (written, unescape(written), unquote(unescape(written))):
        if (at := text.find(needle)) >= 0:
            return text.count("\n", 0, at) + 1
    return None


def _made(item: Media, content: Path, event: Event, report: Report, memo: Memo | None,
          read: Callable[[Path], bytes]) -> Made | None:
    path = content / item.file
    shown = item.src
    try:
        if path.is_symlink() or not path.is_file():
            raise MediaFileError(f"'{shown}' is not there ({path}) — put the file beside the entry, "
                                 "or write its path from the content folder as /folder/file")
        data = read(path)
        key = memo_key(item.file, data, item.kind) if memo is not None else b""
        if memo is not None and key in memo:
            return memo[key]
        made = make(item.file, data, item.kind)
        if memo is not None:
            memo[key] = made
        return made
    except MediaFileError as error:
        message = str(error)
        report.error(Path(event.path), item.line,
                     message if message.startswith("'") else f"media file {path} {message}")
    except OSError as error:
        report.error(Path(event.path), item.line, f"media file {path} cannot be read: {error.strerror or error}")
    return None


def media_files(content: Path) -> tuple[tuple[str, int, int], ...]:
    """Return the signature (path, size, mtime) of every file below content/ that is not Markdown: what
    the engine's quick look keys media by (a picture changed is a build to make). As Path.rglob would
    find them: every folder but a linked one is looked into, and a link to a file counts as the file."""
    found = []
    pending = [(os.fspath(content), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            listing = list(os.scandir(folder))
        except PermissionError:
            continue
        for item in listing:  # names only, strings: 10,000 entries are passed over here
            if item.is_dir() and not item.is_symlink():
                pending.append((item.path, f"{prefix}{item.name}/"))
            elif os.path.splitext(item.name)[1].lower() not in (".md", ".markdown") and item.is_file():
                stat = item.stat()
                found.append((prefix + item.name, stat.st_size, stat.st_mtime_ns))
    return tuple(sorted(found))


def srcset(picture: Picture, root: str, mime: str) -> str:
    """Return an <img>/<source> srcset of the widths made in one format, each URL from the page's root."""
    return ", ".join(f"{root}{quote(path)} {width}w" for width, path, kind in picture.variants if kind == mime)

