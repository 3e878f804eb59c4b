"""Front matter: split the leading --- block from the body; YAML into a mapping with every key's line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # the C loader is about nine times faster (issue 2); same results
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - PyYAML built without libyaml
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML with the traps of YAML 1.1 removed: what looks like text stays text.

    Dates are left as strings for chronicle.dates, which keeps their precision
    and reports an impossible date as a line error instead of a traceback.
    """


# Only the YAML 1.2 core forms resolve implicitly: decimal numbers, true/false
# and null. Everything else a YAML 1.1 loader would convert (`yes`, `NO`, `on`,
# `10:30`, `017`, `.inf`, `2024-10-28`) stays a string as written.
_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9]+\.[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789."),
)


class FrontMatterError(Exception):
    """Front matter that cannot be read, with the line (1-based, in the file) where it goes wrong."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Fields:
    """A front matter mapping and where each part of it was written."""

    values: dict[str, Any]
    lines: dict[str, int]  # key -> its line in the file, 1-based
    scalars: dict[str, str]  # key -> the text as written, for plain (unquoted) scalars
    item_lines: dict[str, list[int]]  # key of a list -> the line of each item
    # (line, message) of each problem in YAML that loads but does not say what was written:
    # text cut short by a comment. The caller reports them all, beside its own.
    problems: tuple[tuple[int, str], ...] = ()

    def line(self, key: str, index: int | None = None) -> int | None:
        """Return the line of a key, or of one item of a list value."""
        if index is not None and index < len(self.item_lines.get(key, ())):
            return self.item_lines[key][index]
        return self.lines.get(key)


@dataclass(frozen=True)
class Document:
    """An entry's text cut in two: the front matter's fields and the Markdown body."""

    fields: Fields
    body: str
    body_line: int  # line of the body's first line in the file
    end_line: int  # line of the closing ---, or 1 when there is no front matter


_FENCE = re.compile(r"^---[ \t]*$")


def normalise(text: str) -> str:
    """Drop a byte-order mark and turn CRLF and CR line ends into LF."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse(text: str) -> Document:
    """Split text into front matter and body and load the front matter's YAML."""
    text = normalise(text)
    lines = text.split("\n")
    if not lines or not _FENCE.match(lines[0]):
        return Document(Fields({}, {}, {}, {}), text, 1, 1)
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index]) or lines[index].rstrip() == "...":
            closing = index
            break
    else:
        raise FrontMatterError(1, "front matter is not closed — add a line '---' after the last field")
    yaml_text = "\n".join(lines[1:closing])
    fields = load_mapping(yaml_text, first_line=2)
    body = "\n".join(lines[closing + 1:])
    return Document(fields, body, closing + 2, closing + 1)


# An anchor or alias begins a token: at the start, after a blank or a line
# break, or right after a flow indicator, a `?`/`:` indicator or a closing
# quote. An `&` or `*` anywhere else is text, as in `?a=1&b=2` in a link.
_MAY_BE_ANCHOR = re.compile(r"[&*](?<![^\s\ufeff\[\]{},:?\"'][&*])")


def _refuse_anchors(yaml_text: str, first_line: int) -> None:
    """Raise FrontMatterError at the first alias (`*name`) or, with none, the first anchor (`&name`).

    Aliases are refused before anything is composed: a few lines of nested
    aliases ("billion laughs") stand for billions of values to any code that
    walks or copies them, and event front matter has no use for them. The C
    loader composes in C, with no hook for an alias, so a text that may hold
    one is read once more, as events. The checks before that keep the cost
    off the hot path (10,000 entries a build): nothing measurable for a front
    matter without `&` or `*`, about 10 µs (of a 300 µs parse) for one with
    `&` in a link.
    """
    if ("&" not in yaml_text and "*" not in yaml_text) or not _MAY_BE_ANCHOR.search(yaml_text):
        return
    anchor = None
    events = _BaseLoader(yaml_text)
    try:
        while events.check_event():
            event = events.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise FrontMatterError(first_line + event.start_mark.line,
                                       f"YAML aliases (*{_shorten(event.anchor)}) are not supported in front "
                                       "matter — write the value out")
            if anchor is None and getattr(event, "anchor", None) is not None:
                anchor = event
    finally:
        events.dispose()
    if anchor is not None:
        name = _shorten(anchor.anchor)
        raise FrontMatterError(first_line + anchor.start_mark.line,
                               f"YAML anchors (&{name}) are not supported in front matter — delete '&{name}'")


def _shorten(name: str) -> str:
    return name if len(name) <= 40 else name[:39] + "…"


def quoted(text: str) -> str:
    """Return text as a YAML quoted scalar that reads back as exactly that text."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


_COMMENT_AFTER = re.compile(r"[ \t]+#")
_TEXT_LIKE = re.compile(r"#[^\s#]")  # `#3`, `#port`: text, where a comment is `# …`


def _cut_by_comments(node: yaml.Node, yaml_text: str, first_line: int) -> list[tuple[int, str]]:
    """Return a problem for every plain value that a comment on the same line follows.

    YAML reads ` #` as the start of a comment, so `title: Strike on Pier #3 in Odesa`
    is published as "Strike on Pier" (issue "What authors and readers tripped on", 1).
    A comment on a line of its own, or after a quoted value, cuts nothing.
    """
    if "#" not in yaml_text:  # nothing to look for: the common case costs one scan
        return []
    lines = yaml_text.split("\n")
    problems: list[tuple[int, str]] = []
    pending = [node]
    while pending:
        current = pending.pop()
        if isinstance(current, yaml.MappingNode):
            pending.extend(value for _, value in reversed(current.value))
        elif isinstance(current, yaml.SequenceNode):
            pending.extend(reversed(current.value))
        elif isinstance(current, yaml.ScalarNode) and not current.style:
            end = current.end_mark
            rest = lines[end.line][end.column:] if end.line < len(lines) else ""
            if not _COMMENT_AFTER.match(rest):
                continue
            comment = rest.strip()
            start = current.start_mark
            lead = lines[start.line][: start.column].strip()
            if current.tag == "tag:yaml.org,2002:str" and current.value:
                written = f"{lead} {quoted(current.value + ' ' + comment)}".strip()
                leaving = f"'{current.value}'"
            elif current.tag == "tag:yaml.org,2002:null" and not current.value and _TEXT_LIKE.match(comment):
                # `location: #port` is no location at all; `end:  # not yet` is a comment, left alone.
                written = f"{lead} {quoted(comment)}".strip()
                leaving = "the value empty"
            else:  # a comment after a number or true/false cuts no text
                continue
            problems.append((first_line + end.line, f"'{comment}' is dropped as a comment, leaving {leaving} — "
                             f"write {written}, or put the comment on a line of its own"))
    return sorted(problems)


# A field on one line, `name: value` (or `- name: value` in a list), split before its value.
_FIELD_LINE = re.compile(r"(?P<lead>[ ]*(?:-[ ]+)?[^\s#'\"\[\]{},:&*!|>%@`-][^:#]*?:[ ]+)(?P<value>[^\s'\"\[{].*?)[ \t]*")


def _yaml_problem(error: yaml.MarkedYAMLError, yaml_text: str, first_line: int) -> FrontMatterError:
    """Say what is wrong with YAML that does not load, at its line, and what to write instead."""
    lines = yaml_text.split("\n")
    last_line = first_line + len(lines) - 1
    problem = error.problem or "is not valid YAML"
    mark = error.problem_mark
    if mark is not None and mark.line < len(lines):
        text = lines[mark.line]
        line = min(first_line + mark.line, last_line)
        indent = text[: len(text) - len(text.lstrip(" \t"))]
        # PyYAML says "found character that cannot start any token": say that it is a tab.
        if "\t" in indent:
            return FrontMatterError(line, "this line is indented with a tab, and YAML allows only spaces — "
                                    "indent it with spaces")
        if "tab" in problem or text[mark.column: mark.column + 1] == "\t":
            return FrontMatterError(line, "this line has a tab where YAML allows only spaces — write spaces "
                                    "instead")
        field = _FIELD_LINE.fullmatch(text)
        if "mapping values are not allowed" in problem and field and mark.column >= len(field["lead"]):
            # `title: Ukraine: units seen in Kursk`: the second ': ' would start a field inside a value.
            return FrontMatterError(line, "': ' in a value starts another field in YAML — write "
                                    f"{field['lead'].strip()} {quoted(field['value'])}")
    # The context mark is where the broken construct began (an unclosed
    # bracket or quote); the problem mark often points past the end.
    mark = error.context_mark or error.problem_mark
    line = min(first_line + mark.line, last_line) if mark is not None else first_line
    return FrontMatterError(line, f"front matter is not valid YAML: {problem} — "
                            "check the indentation, and quote values that contain ': ' or start with a symbol")


_STR, _SEQ, _MAP = "tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"


def _construct(node: yaml.Node, loader: _Loader) -> Any:
    """Return a node's value as loader.construct_document would: text, lists, and mappings with
    text keys made here (most of a front matter; PyYAML's constructor took a fifth of an entry's
    reading), every other value by the loader (numbers, true and null, explicit tags, other keys).
    The node holds no alias (_refuse_anchors)."""
    kind, tag = type(node), node.tag
    if kind is yaml.ScalarNode and tag == _STR:
        return node.value
    if kind is yaml.SequenceNode and tag == _SEQ:
        return [_construct(item, loader) for item in node.value]
    if kind is yaml.MappingNode and tag == _MAP and all(type(key) is yaml.ScalarNode and key.tag == _STR
                                                        for key, _ in node.value):
        return {key.value: _construct(value, loader) for key, value in node.value}
    return loader.construct_object(node, deep=True)


def load_mapping(yaml_text: str, first_line: int = 1) -> Fields:
    """Load YAML that must be a mapping, with each key's line and each plain scalar's text."""
    loader = _Loader(yaml_text)
    try:
        _refuse_anchors(yaml_text, first_line)
        node = loader.get_single_node()
        if node is None:
            return Fields({}, {}, {}, {})
        if not isinstance(node, yaml.MappingNode):
            raise FrontMatterError(
                first_line + node.start_mark.line,
                "front matter must be fields written as `name: value`, one per line",
            )
        key_lines: dict[str, int] = {}
        scalars: dict[str, str] = {}
        item_lines: dict[str, list[int]] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            line = first_line + key_node.start_mark.line
            if not isinstance(key, str) or not key:
                raise FrontMatterError(line, "a field name must be plain text, such as `title:`")
            if key in key_lines:
                raise FrontMatterError(
                    line, f"'{key}' is given twice (first on line {key_lines[key]}) — keep one"
                )
            key_lines[key] = line
            if isinstance(value_node, yaml.ScalarNode) and not value_node.style:
                scalars[key] = value_node.value
            elif isinstance(value_node, yaml.SequenceNode):
                item_lines[key] = [first_line + item.start_mark.line for item in value_node.value]
        problems = _cut_by_comments(node, yaml_text, first_line)
        data = _construct(node, loader)
    except yaml.MarkedYAMLError as error:
        raise _yaml_problem(error, yaml_text, first_line) from None
    except yaml.reader.ReaderError as error:
        line = first_line + yaml_text[: error.position].count("\n")
        character = error.character if isinstance(error.character, str) else chr(error.character)
        raise FrontMatterError(line, f"front matter holds the control character U+{ord(character):04X}, "
                               "which YAML does not allow — delete it") from None
    except yaml.YAMLError as error:
        raise FrontMatterError(first_line, f"front matter is not valid YAML: {error}") from None
    except (ValueError, TypeError, OverflowError, RecursionError) as error:
        raise FrontMatterError(first_line, f"front matter is not valid YAML: {error}") from None
    finally:
        loader.dispose()
    return Fields({str(k): v for k, v in data.items()}, key_lines, scalars, item_lines, tuple(problems))
