"""Front matter: the --- block, YAML without 1.1 traps, and the line of every key."""

import time

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from chronicle.frontmatter import FrontMatterError, _Loader, load_mapping, normalise, parse


def test_lines_of_keys_and_items_are_file_lines():
    doc = parse("---\ntitle: A\n\ndate: 2024-10-28\nsources:\n  - https://a.org\n  - url: https://b.org\n---\nBody\n")
    assert doc.fields.values["title"] == "A"
    assert doc.fields.lines == {"title": 2, "date": 4, "sources": 5}
    assert doc.fields.line("sources", 0) == 6
    assert doc.fields.line("sources", 1) == 7
    assert doc.body == "Body\n"
    assert doc.body_line == 9


def test_bom_and_crlf_are_handled():
    doc = parse("\ufeff---\r\ntitle: A\r\ndate: 2024-10-28\r\n---\r\nLine one\r\nLine two\r\n")
    assert doc.fields.values == {"title": "A", "date": "2024-10-28"}
    assert doc.fields.lines["date"] == 3
    assert doc.body == "Line one\nLine two\n"


def test_no_front_matter_is_all_body():
    doc = parse("Just text\n")
    assert doc.fields.values == {}
    assert doc.body == "Just text\n"


def test_empty_front_matter():
    assert parse("---\n---\nBody").fields.values == {}


def test_unclosed_front_matter_is_an_error_on_line_1():
    with pytest.raises(FrontMatterError) as caught:
        parse("---\ntitle: A\nBody text\n")
    assert caught.value.line == 1
    assert "not closed" in caught.value.message


@pytest.mark.parametrize(
    "yaml_text, line, fragment",
    [
        ("title: A\ndate: [2024\n", 3, "not valid YAML"),
        ("title: A\n  bad: indent\n", 3, "not valid YAML"),
        ("title: A\ntitle: B\n", 3, "'title' is given twice (first on line 2)"),
        ("- a\n- b\n", 2, "must be fields"),
        ("just text\n", 2, "must be fields"),
        ("title: \"unterminated\n", 2, "not valid YAML"),
        ("? [a, b]\n: c\n", 2, "field name must be plain text"),
    ],
)
def test_broken_yaml_is_a_line_error(yaml_text, line, fragment):
    with pytest.raises(FrontMatterError) as caught:
        parse("---\n" + yaml_text + "---\nBody\n")
    assert caught.value.line == line
    assert fragment in caught.value.message


@pytest.mark.parametrize(
    "written, value",
    [
        ("NO", "NO"), ("yes", "yes"), ("on", "on"), ("Off", "Off"), ("y", "y"),
        ("10:30", "10:30"), ("0o17", "0o17"), ("017", "017"), (".inf", ".inf"), ("0x1F", "0x1F"),
        ("1_000", "1_000"), ("2024-10-28", "2024-10-28"), ("2024-10-28 14:30:00", "2024-10-28 14:30:00"),
        ("true", True), ("false", False), ("True", True), ("42", 42), ("-3", -3), ("1.5", 1.5),
        ("~", None), ("null", None), ("", None), ("'yes'", "yes"),
    ],
)
def test_yaml_11_traps_stay_as_written(written, value):
    fields = load_mapping(f"key: {written}\n")
    assert fields.values["key"] == value
    assert type(fields.values["key"]) is type(value)


def test_plain_scalars_keep_their_text():
    fields = load_mapping("title: 1984\nother: '1984'\n")
    assert fields.values["title"] == 1984
    assert fields.scalars["title"] == "1984"
    assert "other" not in fields.scalars


def test_unsafe_tags_are_refused():
    with pytest.raises(FrontMatterError):
        load_mapping("x: !!python/object/apply:os.system ['echo hi']\n")


def test_normalise_lone_cr():
    assert normalise("a\rb\r\n") == "a\nb\n"


# --- anchors and aliases: refused, at their line --------------------------------------------------

BILLION_LAUGHS = """\
title: lol
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
tags: *i
"""


def test_billion_laughs_is_refused_quickly_at_the_first_alias():
    started = time.perf_counter()
    with pytest.raises(FrontMatterError) as caught:
        parse("---\n" + BILLION_LAUGHS + "---\nBody\n")
    assert time.perf_counter() - started < 1.0  # refused before anything is built, not after
    assert caught.value.line == 4  # `b: &b [*a, …]`; the file's line 1 is the ---
    assert caught.value.message == "YAML aliases (*a) are not supported in front matter — write the value out"


def test_an_anchor_alone_is_refused_at_its_line():
    with pytest.raises(FrontMatterError) as caught:
        parse("---\ntitle: A\ndate: &when 2024-10-28\n---\nBody\n")
    assert caught.value.line == 3
    assert caught.value.message == "YAML anchors (&when) are not supported in front matter — delete '&when'"


def test_an_alias_without_its_anchor_is_refused_as_an_alias():
    with pytest.raises(FrontMatterError) as caught:
        load_mapping("title: A\ntags: *nowhere\n", first_line=2)
    assert (caught.value.line, caught.value.message) == (
        3, "YAML aliases (*nowhere) are not supported in front matter — write the value out")


# Every place a node can start, each text with one `&` or `*` only, so the quick test in front
# of the YAML events cannot miss one. An alias is refused whether or not its anchor exists.
@pytest.mark.parametrize(
    "yaml_text, line, written",
    [
        ("*a: A\n", 1, "*a"),
        ("title: *a\n", 1, "*a"),
        ("x: A\ntags: [*a]\n", 2, "*a"),
        ("tags: [b,*a]\n", 1, "*a"),
        ("tags: {k: *a}\n", 1, "*a"),
        ('tags: {"k":*a}\n', 1, "*a"),
        ("tags: {'k':*a}\n", 1, "*a"),
        ("tags: {? *a : b}\n", 1, "*a"),
        ("tags: {?*a}\n", 1, "*a"),
        ("tags:\n  - *a\n", 2, "*a"),
        ("tags: [a,\t*a]\n", 1, "*a"),
        ("x:\t&a A\n", 1, "&a"),
        ("y:\n  <<: *a\n", 2, "*a"),
        ("&a x: A\n", 1, "&a"),
        ("x: !!str &a A\n", 1, "&a"),
        ("x:\n  &a\n  A\n", 2, "&a"),
        ("x: [&a A]\n", 1, "&a"),
        ("x: ['A',&a B]\n", 1, "&a"),
        ('x: {"k":&a B}\n', 1, "&a"),
        ("x: [A,\n\ufeff&a B]\n", 2, "&a"),  # libyaml skips a byte-order mark that starts a line
        ("x: &a-long_name2 A\n", 1, "&a-long_name2"),
    ],
)
def test_anchors_and_aliases_are_refused_wherever_they_are_written(yaml_text, line, written):
    with pytest.raises(FrontMatterError) as caught:
        load_mapping(yaml_text)
    assert caught.value.line == line
    kind = "aliases" if written.startswith("*") else "anchors"
    assert caught.value.message.startswith(f"YAML {kind} ({written}) are not supported in front matter — ")


@pytest.mark.parametrize(
    "written, value",
    [
        ("https://example.org/?a=1&b=2", "https://example.org/?a=1&b=2"),
        ("R & D, *not* an alias", "R & D, *not* an alias"),
        ("'&quoted'", "&quoted"),
        ('"*quoted*"', "*quoted*"),
        ("a*b&c", "a*b&c"),
        ("[R & D, x*y]", ["R & D", "x*y"]),
    ],
)
def test_ampersands_and_stars_in_text_stay_text(written, value):
    assert load_mapping(f"key: {written}\n").values["key"] == value


@pytest.mark.parametrize("text", ["Pier #3", 'He said "no" #1', "back\\slash #2", "it's \"both\" #4", "plain"])
def test_quoted_reads_back_as_the_same_text(text):
    from chronicle.frontmatter import quoted

    assert load_mapping(f"key: {quoted(text)}\n").values["key"] == text


def test_text_cut_by_a_comment_is_a_problem_at_its_line_and_the_rest_still_loads():
    fields = load_mapping("title: Pier #3\nlocation: 'Odesa #port'\nweight: 1 # first\nurl: https://a.org/#x\n",
                          first_line=2)
    assert fields.values == {"title": "Pier", "location": "Odesa #port", "weight": 1, "url": "https://a.org/#x"}
    assert fields.problems == ((2, "'#3' is dropped as a comment, leaving 'Pier' — write title: \"Pier #3\", "
                                   "or put the comment on a line of its own"),)


# --- values made from the nodes (frontmatter._construct) against PyYAML's constructor ------------


def _both(text: str):
    """The value of a YAML text as PyYAML's constructor makes it, and as load_mapping does."""
    loader = _Loader(text)
    try:
        expected = loader.construct_document(loader.get_single_node())
    finally:
        loader.dispose()
    return expected, load_mapping(text).values


_SCALARS = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                     st.floats(allow_nan=False, allow_infinity=False))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.one_of(st.text(max_size=6), st.integers()),
                                                                        inner, max_size=4)), max_leaves=12)


@settings(max_examples=300, database=None, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=8), _VALUES, min_size=1, max_size=5),
       st.sampled_from([False, True]))
def test_front_matter_values_are_those_pyyaml_makes(fields, flow):
    """Text, lists and mappings made from the nodes; numbers, true/false, null and keys that are not
    text by PyYAML: the same values, of the same types, in the same order, for any front matter."""
    expected, values = _both(yaml.safe_dump(fields, default_flow_style=flow, allow_unicode=True))
    assert repr(values) == repr({str(key): value for key, value in expected.items()})


@pytest.mark.parametrize("text", [
    "a: !!str 5\nb: !!int '7'\nc: !!float '1'", "tags: !!set {x, y}", "a: {1: one, true: yes}",
    "a: [!!binary aGk=, 2024-10-28, 10:30, .inf, 0x1F]", "a: {b: [c, {d: ~}]}\nb: {b: 1, b: 2}",
    "a: !!omap [x: 1, y: 2]", "a: !!map {x: 1}\nb: !!seq [1]",
])
def test_values_with_tags_and_keys_of_every_kind_are_pyyamls(text):
    expected, values = _both(text)
    assert repr(values) == repr({str(key): value for key, value in expected.items()})
