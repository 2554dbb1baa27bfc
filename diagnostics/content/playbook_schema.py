"""Reading a YAML playbook: parse and validate schema version 1 into plain dataclasses.

Validation walks PyYAML's node tree rather than the loaded dict, so every problem can name the
line it is on. The command and the upload page both read through here, so they report the same
errors.
"""

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import yaml

from diagnostics.content.models import (
    KEY_MAX_LENGTH,
    KEY_PATTERN,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
)
from diagnostics.validators import CONTROL

SCHEMA_VERSION = 1
MAX_BYTES = 5 * 1024 * 1024
MAX_PROBLEMS = 50  # enough to fix a file in one pass, not a wall of noise

_KEY_RE = re.compile(KEY_PATTERN)
_TAG = "tag:yaml.org,2002:"
_STR, _INT, _NULL = _TAG + "str", _TAG + "int", _TAG + "null"
# Control characters are refused in the file or written as escapes ("\0", "\e") in a quoted
# string: PostgreSQL cannot store a NUL.
_CONTROL = CONTROL
_PLAIN_TAGS = {_TAG + name for name in ("str", "int", "float", "bool", "null", "map", "seq")}

# -- The content, once valid ------------------------------------------------------------------


@dataclass
class CheckSpec:
    key: str
    title: str
    help: str = ""


@dataclass
class SymptomSpec:
    key: str
    title: str
    summary: str = ""
    checks: list[CheckSpec] = field(default_factory=list)


@dataclass
class CategorySpec:
    key: str
    title: str
    symptoms: list[SymptomSpec] = field(default_factory=list)


@dataclass
class Playbook:
    title: str
    categories: list[CategorySpec] = field(default_factory=list)

    @property
    def content_hash(self):
        """Hash of the content, not the file: comments and layout do not make a new revision."""
        canonical = json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


# -- Errors -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    field: str
    message: str


class PlaybookError(Exception):
    """A playbook that cannot be imported; `lines()` gives `FILE:LINE: field: message`."""

    def __init__(self, name, problems):
        self.name = name
        self.problems = sorted(problems, key=lambda p: (p.line, p.field))
        super().__init__("\n".join(self.lines()))

    def lines(self):
        return [f"{self.name}:{p.line}: {p.field}: {p.message}" for p in self.problems]


# -- Reading ----------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """A safe loader that refuses aliases: a playbook needs none, and they make billion-laughs
    bombs possible (a few lines that expand to gigabytes when walked)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in a playbook", event.start_mark
            )
        return super().compose_node(parent, index)


def read_playbook_file(path):
    """Read and validate a playbook file; raises PlaybookError naming the file."""
    path = Path(path)
    try:
        with path.open("rb") as f:
            data = f.read(MAX_BYTES + 1)  # never read more than the limit into memory
    except OSError as exc:
        raise PlaybookError(str(path), [Problem(0, "file", exc.strerror or str(exc))]) from exc
    return read_playbook(data, name=str(path))


def read_playbook(data, name="playbook.yaml"):
    """Parse and validate playbook bytes; returns a Playbook or raises PlaybookError."""
    if len(data) > MAX_BYTES:
        raise PlaybookError(name, [Problem(1, "file", "is larger than 5 MB")])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise PlaybookError(name, [Problem(line, "file", "is not UTF-8 text")]) from exc
    if not text.strip():
        raise PlaybookError(name, [Problem(1, "file", "is empty")])
    if found := _CONTROL.search(text):
        line = text.count("\n", 0, found.start()) + 1
        raise PlaybookError(name, [Problem(line, "file", _control_message(found.group()))])

    loader = None
    try:
        loader = _Loader(text)
        root = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise PlaybookError(name, [Problem(line, "yaml", exc.problem or str(exc))]) from exc
    except yaml.YAMLError as exc:
        raise PlaybookError(name, [Problem(1, "yaml", str(exc))]) from exc
    except RecursionError as exc:
        raise PlaybookError(name, [Problem(1, "yaml", "is nested too deeply")]) from exc
    finally:
        if loader is not None:
            loader.dispose()
    if root is None:
        raise PlaybookError(name, [Problem(1, "file", "is empty")])

    reader = _Reader()
    playbook = reader.playbook(root)
    if reader.problems:
        raise PlaybookError(name, reader.problems[:MAX_PROBLEMS])
    return playbook


class _Reader:
    """Walks the node tree, collecting every problem instead of stopping at the first."""

    def __init__(self):
        self.problems = []

    def problem(self, node, field, message):
        self.problems.append(Problem(node.start_mark.line + 1, field, message))

    def tag_ok(self, node, field):
        if node.tag in _PLAIN_TAGS:
            return True
        self.problem(node, field, f"uses the tag {node.tag}, which a playbook does not allow")
        return False

    def mapping(self, node, path, fields, required):
        """The fields of a mapping node, by name; None when it is not a mapping."""
        if not self.tag_ok(node, path):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"must be a mapping with the fields {', '.join(fields)}")
            return None
        found = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            where = f"{path}.{name}" if path != "playbook" else name
            if name not in fields:
                self.problem(
                    key_node, where, f"is not a known field (expected {', '.join(fields)})"
                )
            elif name in found:
                self.problem(key_node, where, "appears twice")
            else:
                found[name] = value_node
        for name in required:
            if name not in found:
                where = f"{path}.{name}" if path != "playbook" else name
                self.problem(node, where, "is required")
        return found

    def sequence(self, node, path, empty_message=None):
        if not self.tag_ok(node, path):
            return []
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            node_items = []
        elif not isinstance(node, yaml.SequenceNode):
            self.problem(node, path, "must be a list")
            return []
        else:
            node_items = node.value
        if not node_items and empty_message:
            self.problem(node, path, empty_message)
        return node_items

    def text(self, node, path, max_length, required=True):
        if node is None:
            return ""
        if not self.tag_ok(node, path):
            return ""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL:
            if required:
                self.problem(node, path, "must not be empty")
            return ""
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            kind = "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"
            if isinstance(node, yaml.ScalarNode):
                self.problem(node, path, "must be text (put the value in quotes)")
            else:
                self.problem(node, path, f"must be text, not {kind}")
            return ""
        value = node.value.strip()
        if found := _CONTROL.search(value):
            self.problem(node, path, _control_message(found.group()))
        elif required and not value:
            self.problem(node, path, "must not be empty")
        elif len(value) > max_length:
            self.problem(node, path, f"is longer than {max_length} characters")
        return value

    def key(self, node, path, seen, scope):
        value = self.text(node, path, KEY_MAX_LENGTH)
        if not value:
            return value
        if not _KEY_RE.match(value):
            self.problem(node, path, "must be a slug: lowercase letters, digits and single hyphens")
        elif value in seen:
            self.problem(node, path, f"{value!r} is already used {scope} (line {seen[value]})")
        else:
            seen[value] = node.start_mark.line + 1
        return value

    def playbook(self, root):
        fields = self.mapping(
            root, "playbook", ("playbook", "title", "categories"), ("playbook", "title")
        )
        if fields is None:
            return None
        version = fields.get("playbook")
        if version is not None and not (version.tag == _INT and version.value == "1"):
            self.problem(
                version, "playbook", f"must be {SCHEMA_VERSION}, the schema version this reads"
            )
        title = self.text(fields.get("title"), "title", TITLE_MAX_LENGTH)
        categories = []
        category_keys, symptom_keys = {}, {}
        if "categories" in fields:
            for i, node in enumerate(self.sequence(fields["categories"], "categories")):
                category = self.category(node, f"categories[{i}]", category_keys, symptom_keys)
                if category:
                    categories.append(category)
        return Playbook(title=title, categories=categories)

    def category(self, node, path, category_keys, symptom_keys):
        fields = self.mapping(node, path, ("key", "title", "symptoms"), ("key", "title"))
        if fields is None:
            return None
        category = CategorySpec(
            key=self.key(fields.get("key"), f"{path}.key", category_keys, "by another category"),
            title=self.text(fields.get("title"), f"{path}.title", TITLE_MAX_LENGTH),
        )
        if "symptoms" in fields:
            for i, item in enumerate(self.sequence(fields["symptoms"], f"{path}.symptoms")):
                symptom = self.symptom(item, f"{path}.symptoms[{i}]", symptom_keys)
                if symptom:
                    category.symptoms.append(symptom)
        return category

    def symptom(self, node, path, symptom_keys):
        fields = self.mapping(
            node, path, ("key", "title", "summary", "checks"), ("key", "title", "checks")
        )
        if fields is None:
            return None
        symptom = SymptomSpec(
            key=self.key(fields.get("key"), f"{path}.key", symptom_keys, "by another symptom"),
            title=self.text(fields.get("title"), f"{path}.title", TITLE_MAX_LENGTH),
            summary=self.text(fields.get("summary"), f"{path}.summary", TEXT_MAX_LENGTH, False),
        )
        check_keys = {}
        if "checks" in fields:
            nodes = self.sequence(
                fields["checks"], f"{path}.checks", "must list at least one check"
            )
            for i, item in enumerate(nodes):
                check = self.check(item, f"{path}.checks[{i}]", check_keys)
                if check:
                    symptom.checks.append(check)
        return symptom

    def check(self, node, path, check_keys):
        fields = self.mapping(node, path, ("key", "title", "help"), ("key", "title"))
        if fields is None:
            return None
        return CheckSpec(
            key=self.key(fields.get("key"), f"{path}.key", check_keys, "in this symptom"),
            title=self.text(fields.get("title"), f"{path}.title", TITLE_MAX_LENGTH),
            help=self.text(fields.get("help"), f"{path}.help", TEXT_MAX_LENGTH, False),
        )


def _control_message(character):
    return f"contains the control character U+{ord(character):04X}, which a playbook does not allow"
