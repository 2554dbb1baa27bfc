"""Every schema rule, with the line and field each error names."""

from textwrap import dedent

import pytest

from diagnostics.content.playbook import MAX_BYTES, PlaybookError, read_playbook
from tests.factories import PLAYBOOK


def errors(text):
    """The `FILE:LINE: field: message` lines a playbook gets, or [] when it is valid."""
    data = dedent(text).encode() if isinstance(text, str) else text
    try:
        read_playbook(data, name="book.yaml")
    except PlaybookError as exc:
        return exc.lines()
    return []


def one_check(**overrides):
    """A small valid playbook: its symptom starts on line 7, its check on line 10."""
    parts = {
        "head": "playbook: 1\ntitle: T\n",
        "category": "  - key: cat\n    title: Cat\n",
        "symptom": "      - key: sym\n        title: Sym\n",
        "check": "          - key: chk\n            title: Chk\n",
        **overrides,
    }
    return (
        f"{parts['head']}categories:\n{parts['category']}    symptoms:\n{parts['symptom']}"
        f"        checks:\n{parts['check']}"
    )


def test_a_valid_playbook_has_no_errors():
    assert errors(PLAYBOOK) == []
    assert errors(one_check()) == []


def test_the_schema_version_is_required():
    assert errors(one_check(head="title: T\n")) == ["book.yaml:1: playbook: is required"]


def test_an_unknown_schema_version_is_refused():
    assert errors(one_check(head="playbook: 3\ntitle: T\n")) == [
        "book.yaml:1: playbook: must be 1 or 2, the schema versions this reads"
    ]


def test_the_playbook_title_is_required():
    assert errors(one_check(head="playbook: 1\n")) == ["book.yaml:1: title: is required"]


def test_an_empty_title_is_refused():
    assert errors(one_check(head='playbook: 1\ntitle: " "\n')) == [
        "book.yaml:2: title: must not be empty"
    ]


def test_an_unknown_top_level_field_is_named():
    assert errors(one_check(head="playbook: 1\ntitle: T\nauthor: me\n")) == [
        "book.yaml:3: author: is not a known field (expected playbook, title, categories, retired)"
    ]


def test_an_unknown_check_field_is_named_with_its_path():
    check = "          - key: chk\n            title: Chk\n            colour: red\n"
    assert errors(one_check(check=check)) == [
        "book.yaml:12: categories[0].symptoms[0].checks[0].colour: "
        "is not a known field (expected key, title, help)"
    ]


def test_a_missing_check_title_names_the_check():
    assert errors(one_check(check="          - key: chk\n")) == [
        "book.yaml:10: categories[0].symptoms[0].checks[0].title: is required"
    ]


def test_a_missing_symptom_key_names_the_symptom():
    assert errors(one_check(symptom="      - title: Sym\n")) == [
        "book.yaml:7: categories[0].symptoms[0].key: is required"
    ]


def test_a_missing_category_title_names_the_category():
    assert errors(one_check(category="  - key: cat\n")) == [
        "book.yaml:4: categories[0].title: is required"
    ]


@pytest.mark.parametrize("bad", ["Webhooks", "no_underscores", "two--hyphens", "-edge", "a b"])
def test_keys_must_be_slugs(bad):
    assert errors(one_check(symptom=f"      - key: {bad}\n        title: Sym\n")) == [
        "book.yaml:7: categories[0].symptoms[0].key: "
        "must be a slug: lowercase letters, digits and single hyphens"
    ]


def test_a_number_where_text_belongs_asks_for_quotes():
    assert errors(one_check(check="          - key: chk\n            title: 404\n")) == [
        "book.yaml:11: categories[0].symptoms[0].checks[0].title: "
        "must be text (put the value in quotes)"
    ]


def test_a_list_where_text_belongs_is_refused():
    assert errors(one_check(head="playbook: 1\ntitle: [a, b]\n")) == [
        "book.yaml:2: title: must be text, not a list"
    ]


def test_an_over_long_title_is_refused():
    long = "x" * 201
    assert errors(one_check(check=f"          - key: chk\n            title: {long}\n")) == [
        "book.yaml:11: categories[0].symptoms[0].checks[0].title: is longer than 200 characters"
    ]


def test_categories_must_be_a_list():
    assert errors("playbook: 1\ntitle: T\ncategories: nope\n") == [
        "book.yaml:3: categories: must be a list"
    ]


def test_a_check_must_be_a_mapping():
    assert errors(one_check(check="          - just a string\n")) == [
        "book.yaml:10: categories[0].symptoms[0].checks[0]: "
        "must be a mapping with the fields key, title, help"
    ]


def test_a_symptom_needs_checks():
    text = (
        "playbook: 1\ntitle: T\ncategories:\n  - key: cat\n    title: Cat\n    symptoms:\n"
        "      - key: sym\n        title: Sym\n"
    )
    assert errors(text) == ["book.yaml:7: categories[0].symptoms[0].checks: is required"]


def test_an_empty_checks_list_is_refused():
    assert errors(one_check(check="          []\n")) == [
        "book.yaml:10: categories[0].symptoms[0].checks: must list at least one check"
    ]


def test_duplicate_category_keys_are_refused():
    text = one_check() + "  - key: cat\n    title: Again\n"
    assert errors(text) == [
        "book.yaml:12: categories[1].key: 'cat' is already used by another category (line 4)"
    ]


def test_symptom_keys_are_unique_across_the_whole_playbook():
    text = one_check() + (
        "  - key: other\n    title: Other\n    symptoms:\n"
        "      - key: sym\n        title: Again\n        checks:\n          - key: c\n"
        "            title: C\n"
    )
    assert errors(text) == [
        "book.yaml:15: categories[1].symptoms[0].key: "
        "'sym' is already used by another symptom (line 7)"
    ]


def test_check_keys_are_unique_within_their_symptom():
    check = (
        "          - key: chk\n            title: A\n          - key: chk\n            title: B\n"
    )
    assert errors(one_check(check=check)) == [
        "book.yaml:12: categories[0].symptoms[0].checks[1].key: "
        "'chk' is already used in this symptom (line 10)"
    ]


def test_the_same_check_key_in_two_symptoms_is_fine():
    text = one_check() + (
        "  - key: other\n    title: Other\n    symptoms:\n"
        "      - key: sym-2\n        title: Sym 2\n        checks:\n          - key: chk\n"
        "            title: Chk\n"
    )
    assert errors(text) == []


def test_a_field_given_twice_is_refused():
    assert errors(one_check(head="playbook: 1\ntitle: T\ntitle: U\n")) == [
        "book.yaml:3: title: appears twice"
    ]


def test_every_problem_is_reported_in_line_order():
    check = "          - key: Bad\n            colour: red\n"
    assert errors(one_check(head="playbook: 1\n", check=check)) == [
        "book.yaml:1: title: is required",
        "book.yaml:9: categories[0].symptoms[0].checks[0].key: "
        "must be a slug: lowercase letters, digits and single hyphens",
        "book.yaml:9: categories[0].symptoms[0].checks[0].title: is required",
        "book.yaml:10: categories[0].symptoms[0].checks[0].colour: "
        "is not a known field (expected key, title, help)",
    ]


# -- Hostile and broken files -----------------------------------------------------------------


def test_a_yaml_syntax_error_names_its_line():
    assert errors("playbook: 1\ntitle: T\ncategories:\n  - key: [unclosed\n") == [
        "book.yaml:5: yaml: expected ',' or ']', but got '<stream end>'"
    ]


def test_an_empty_file_is_refused():
    assert errors(b"") == ["book.yaml:1: file: is empty"]
    assert errors(b"# only a comment\n") == ["book.yaml:1: file: is empty"]


def test_a_top_level_list_is_refused():
    assert errors("- playbook: 1\n") == [
        "book.yaml:1: playbook: must be a mapping with the fields "
        "playbook, title, categories, retired"
    ]


def test_a_file_that_is_not_utf8_is_refused():
    assert errors(b"playbook: 1\ntitle: caf\xe9\n") == ["book.yaml:2: file: is not UTF-8 text"]


def test_a_file_over_5_mb_is_refused_without_parsing():
    assert errors(b"#" * (MAX_BYTES + 1)) == ["book.yaml:1: file: is larger than 5 MB"]


def test_a_yaml_alias_bomb_is_refused():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    assert errors(bomb) == ["book.yaml:2: yaml: aliases (*name) are not allowed in a playbook"]


def test_a_python_tag_is_refused():
    text = "playbook: 1\ntitle: !!python/object/apply:os.system [echo hacked]\n"
    assert errors(text) == [
        "book.yaml:2: title: uses the tag tag:yaml.org,2002:python/object/apply:os.system, "
        "which a playbook does not allow"
    ]


def test_a_custom_tag_on_the_whole_document_is_refused():
    assert errors("!thing\nplaybook: 1\n") == [
        "book.yaml:1: playbook: uses the tag !thing, which a playbook does not allow"
    ]


@pytest.mark.parametrize("character", ["\x00", "\x1b", "\x7f", "\ufffe", "\x85"])
def test_a_control_character_in_the_file_names_its_line(character):
    text = one_check(check=f"          - key: chk\n            title: Ch{character}k\n")
    code = f"U+{ord(character):04X}"
    assert errors(text.encode()) == [
        f"book.yaml:11: file: contains the control character {code}, which a playbook does not "
        "allow"
    ]


@pytest.mark.parametrize(
    ("escape", "code"), [("\\0", "U+0000"), ("\\e", "U+001B"), ("\\x7f", "U+007F")]
)
def test_a_control_character_written_as_an_escape_is_refused_in_any_text(escape, code):
    text = one_check(
        check=f'          - key: chk\n            title: Chk\n            help: "a{escape}b"\n'
    )
    assert errors(text) == [
        f"book.yaml:12: categories[0].symptoms[0].checks[0].help: contains the control "
        f"character {code}, which a playbook does not allow"
    ]
