"""Reading a YAML playbook: parse and validate schema version 1 into plain dataclasses.

Validation walks PyYAML's node tree rather than the loaded dict, so every problem can name the
line it is on. The command, the upload page and the browser editor all validate through here
(the editor's forms call the same rule functions), so they report the same errors.
"""

import hashlib
import itertools
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

SCHEMA_VERSION = 1  # what a playbook without branching is written as
SCHEMA_VERSIONS = (1, 2)  # 2 adds rules on a check's answers (on_ok, on_problem, on_na)
ANSWERS = ("ok", "problem", "na")  # the answers a rule can follow, as ResultStatus stores them
RULE_FIELDS = tuple(f"on_{answer}" for answer in ANSWERS)
OUTCOMES = ("resolved", "not_resolved", "escalated")
ANSWER_LABELS = {"ok": "Passed", "problem": "Problem found", "na": "Not applicable"}
OUTCOME_LABELS = {"resolved": "Resolved", "not_resolved": "Not resolved", "escalated": "Escalated"}
VISIBILITIES = ("public", "staff")
REVIEW_MAX_DAYS = 3650
OWNER_MAX_LENGTH = 150  # Django's username length
MAX_BYTES = 5 * 1024 * 1024
MAX_CHECKS = 500  # per symptom: far past any useful checklist, well inside a result's position
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
    # What follows an answer (schema 2), by answer: {"goto": check key}, {"outcome": ...} or
    # {"symptom": symptom key}. Without a rule the next check follows.
    rules: dict = field(default_factory=dict)

    @property
    def rules_text(self):
        """The rules in words, for "what will change" ("Problem found → check fix-url")."""
        parts = []
        for answer in ANSWERS:
            if rule := self.rules.get(answer):
                ((kind, target),) = rule.items()
                what = {"goto": f"check {target}", "outcome": target.replace("_", " "),
                        "symptom": f"symptom {target}"}[kind]  # fmt: skip
                parts.append(f"{ANSWER_LABELS[answer]} → {what}")
        return "; ".join(parts) or "the next check, whatever the answer"


@dataclass
class SymptomSpec:
    key: str
    title: str
    summary: str = ""
    visibility: str = "public"  # or "staff": listed and served to signed-in staff only
    owner: str = ""  # a staff member's username
    review_every_days: int | None = None
    checks: list[CheckSpec] = field(default_factory=list)

    @property
    def is_public(self):
        return self.visibility == "public"


@dataclass
class RetiredSpec:
    """A symptom taken out of the playbook whose old link should point to another."""

    key: str
    replaced_by: str = ""


@dataclass
class CategorySpec:
    key: str
    title: str
    symptoms: list[SymptomSpec] = field(default_factory=list)


@dataclass
class Playbook:
    title: str
    categories: list[CategorySpec] = field(default_factory=list)
    retired: list[RetiredSpec] = field(default_factory=list)
    # Where each field was in the file ("categories[0].symptoms[1].owner": 12), for problems
    # found after reading (an owner who is not staff). Not content.
    lines: dict[str, int] = field(default_factory=dict, compare=False, repr=False)

    def as_dict(self):
        """The content as plain data (JSON-ready), without the line numbers. A check without
        rules has no "rules" entry, so a playbook without branching hashes as it always has."""
        data = asdict(self)
        del data["lines"]
        for category in data["categories"]:
            for symptom in category["symptoms"]:
                for check in symptom["checks"]:
                    if not check["rules"]:
                        del check["rules"]
        return data

    @property
    def version(self):
        """The schema version it needs: 2 when a check has rules, else 1."""
        branched = any(c.rules for _, s in self.symptoms() for c in s.checks)
        return 2 if branched else SCHEMA_VERSION

    @classmethod
    def from_dict(cls, data):
        return cls(
            title=data["title"],
            categories=[
                CategorySpec(
                    key=c["key"],
                    title=c["title"],
                    symptoms=[
                        SymptomSpec(
                            **{k: v for k, v in s.items() if k != "checks"},
                            checks=[CheckSpec(**check) for check in s["checks"]],
                        )
                        for s in c["symptoms"]
                    ],
                )
                for c in data["categories"]
            ],
            retired=[RetiredSpec(**r) for r in data.get("retired", [])],
        )

    @property
    def content_hash(self):
        """Hash of the content, not the file: comments and layout do not make a new revision."""
        canonical = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def symptoms(self):
        """Every symptom with its category, in reading order."""
        return [(c, s) for c in self.categories for s in c.symptoms]

    def symptom(self, key):
        """The category and symptom with `key`, or (None, None)."""
        return next(((c, s) for c, s in self.symptoms() if s.key == key), (None, None))

    def category(self, key):
        return next((c for c in self.categories if c.key == key), None)

    # -- Changes the editor makes (each keeps the playbook valid except for a symptom with no
    # checks yet, which publishing refuses with the reader's message) ------------------------

    def rename_symptom(self, old, new):
        """A published symptom's key changed: its old link points to the new one."""
        self.retired = [r for r in self.retired if r.key != new]
        for r in self.retired:
            if r.replaced_by == old:
                r.replaced_by = new
        self.retired.append(RetiredSpec(old, new))

    def links_to(self, key):
        """The checks (with their symptoms) whose rules continue with symptom `key`."""
        return [
            (symptom, check)
            for _, symptom in self.symptoms()
            for check in symptom.checks
            if any(rule.get("symptom") == key for rule in check.rules.values())
        ]

    def retire_symptom(self, key, replaced_by=""):
        category, symptom = self.symptom(key)
        category.symptoms.remove(symptom)
        if replaced_by:  # rules that continued with it continue with its replacement
            self.retarget_symptom(key, replaced_by)
        for r in self.retired:
            if r.replaced_by == key:
                r.replaced_by = replaced_by
        self.retired = [r for r in self.retired if r.key != key and r.replaced_by]
        if replaced_by:
            self.retired.append(RetiredSpec(key, replaced_by))

    def retarget_symptom(self, old, new):
        """Rules that continue with symptom `old` continue with `new` (its key changed)."""
        for _, symptom in self.symptoms():
            for check in symptom.checks:
                for rule in check.rules.values():
                    if rule.get("symptom") == old:
                        rule["symptom"] = new

    def revive(self, key):
        """`key` is a live symptom again: no retired entry may name it."""
        self.retired = [r for r in self.retired if r.key != key]


def move(items, item, delta):
    """Move `item` `delta` places within `items` (clamped to the ends)."""
    index = items.index(item)
    target = min(max(index + delta, 0), len(items) - 1)
    items.insert(target, items.pop(index))


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


# -- The rules for one value, shared by the reader and the editor's forms ---------------------


def text_problem(value, max_length, required=True):
    """What is wrong with a text value (already stripped), or None."""
    if found := _CONTROL.search(value):
        return _control_message(found.group())
    if required and not value:
        return "must not be empty"
    if len(value) > max_length:
        return f"is longer than {max_length} characters"
    return None


# Characters that make a one-line name show something other than what it holds: invisible
# ones (a title of only U+200B looks empty) and those that reverse how text reads (U+202E).
_DECEPTIVE = re.compile("[\u200b\u2060\ufeff\u202a-\u202e\u2066-\u2069]")


def line_problem(value, max_length, required=True):
    """What is wrong with a one-line value (a title, a message), or None."""
    if problem := text_problem(value, max_length, required):
        return problem
    if "\n" in value or "\r" in value:
        return "must be one line"
    if found := _DECEPTIVE.search(value):
        return (
            f"contains U+{ord(found.group()):04X}, an invisible or direction-changing "
            "character a title does not allow"
        )
    return None


def key_problem(value):
    if problem := text_problem(value, KEY_MAX_LENGTH):
        return problem
    if not _KEY_RE.match(value):
        return "must be a slug: lowercase letters, digits and single hyphens"
    return None


def taken_message(value, scope, line=None):
    where = f" (line {line})" if line else ""
    return f"{value!r} is already used {scope}{where}"


def visibility_problem(value):
    if value not in VISIBILITIES:
        return "must be public or staff"
    return None


def review_days_problem(value):
    if not 1 <= value <= REVIEW_MAX_DAYS:
        return f"must be a whole number of days from 1 to {REVIEW_MAX_DAYS}"
    return None


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
        self.lines = {}
        self.retired_keys = set()
        self.version = SCHEMA_VERSION
        self.symptom_links = []  # (node, path, symptom key, own key), checked at the end

    def problem(self, node, field, message):
        self.problems.append(Problem(node.start_mark.line + 1, field, message))

    def tag_ok(self, node, field):
        if node.tag in _PLAIN_TAGS:
            return True
        self.problem(node, field, f"uses the tag {node.tag}, which a playbook does not allow")
        return False

    def mapping(self, node, path, fields, required, shown=None):
        """The fields of a mapping node, by name; None when it is not a mapping. `shown`: the
        fields messages list, when some of `fields` are only for a later schema version."""
        shown = shown or fields
        if not self.tag_ok(node, path):
            return None
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, path, f"must be a mapping with the fields {', '.join(shown)}")
            return None
        found = {}
        for key_node, value_node in node.value:
            name = key_node.value if isinstance(key_node, yaml.ScalarNode) else "?"
            where = f"{path}.{name}" if path != "playbook" else name
            if name not in fields and name.startswith("on_") and "on_ok" in fields:
                self.problem(
                    key_node,
                    where,
                    "is a rule for an answer a check does not have "
                    f"(rules are {', '.join(RULE_FIELDS)})",
                )
            elif name not in fields:
                self.problem(key_node, where, f"is not a known field (expected {', '.join(shown)})")
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

    def text(self, node, path, max_length, required=True, rule=text_problem):
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
        if problem := rule(value, max_length, required):
            self.problem(node, path, problem)
        return value

    def title(self, node, path):
        return self.text(node, path, TITLE_MAX_LENGTH, rule=line_problem)

    def key(self, node, path, seen, scope):
        value = self.text(node, path, KEY_MAX_LENGTH)
        if not value or text_problem(value, KEY_MAX_LENGTH):
            return value  # already reported by text()
        if problem := key_problem(value):
            self.problem(node, path, problem)
        elif value in seen:
            self.problem(node, path, taken_message(value, scope, seen[value]))
        else:
            seen[value] = node.start_mark.line + 1
        return value

    def choice(self, node, path, rule, default):
        if node is None:
            return default
        value = self.text(node, path, 20)
        if value and (problem := rule(value)):
            self.problem(node, path, problem)
        return value or default

    def days(self, node, path):
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
            return None
        if not self.tag_ok(node, path):
            return None
        if not (isinstance(node, yaml.ScalarNode) and node.tag == _INT):
            self.problem(node, path, "must be a whole number of days")
            return None
        try:
            value = int(node.value.replace("_", ""), 0)
        except ValueError:
            self.problem(node, path, "must be a whole number of days")
            return None
        if problem := review_days_problem(value):
            self.problem(node, path, problem)
            return None
        return value

    def playbook(self, root):
        fields = self.mapping(
            root,
            "playbook",
            ("playbook", "title", "categories", "retired"),
            ("playbook", "title"),
        )
        if fields is None:
            return None
        version = fields.get("playbook")
        if version is not None:
            if version.tag == _INT and version.value in {str(v) for v in SCHEMA_VERSIONS}:
                self.version = int(version.value)
            else:
                self.problem(version, "playbook", "must be 1 or 2, the schema versions this reads")
        title = self.title(fields.get("title"), "title")
        categories = []
        category_keys, symptom_keys = {}, {}
        if "categories" in fields:
            for i, node in enumerate(self.sequence(fields["categories"], "categories")):
                category = self.category(node, f"categories[{i}]", category_keys, symptom_keys)
                if category:
                    categories.append(category)
        visibility = {s.key: s.visibility for c in categories for s in c.symptoms}
        for node, path, target, own in self.symptom_links:
            if target == own:
                self.problem(node, path, "links to its own symptom: use goto for one of its checks")
            elif target not in symptom_keys:
                self.problem(node, path, f"{target!r} is not a symptom in this playbook")
            elif visibility.get(own) == "public" and visibility.get(target) == "staff":
                self.problem(
                    node,
                    path,
                    f"{target!r} is for signed-in staff only: customers running this public "
                    "symptom could not continue there",
                )
        playbook = Playbook(title=title, categories=categories, lines=self.lines)
        if "retired" in fields:
            for i, node in enumerate(self.sequence(fields["retired"], "retired")):
                if spec := self.retired(node, f"retired[{i}]", symptom_keys):
                    playbook.retired.append(spec)
        return playbook

    def retired(self, node, path, symptom_keys):
        fields = self.mapping(node, path, ("key", "replaced_by"), ("key",))
        if fields is None:
            return None
        key = self.text(fields.get("key"), f"{path}.key", KEY_MAX_LENGTH)
        if not key or text_problem(key, KEY_MAX_LENGTH):
            pass  # already reported by text()
        elif problem := key_problem(key):
            self.problem(fields["key"], f"{path}.key", problem)
        elif key in symptom_keys:
            self.problem(
                fields["key"],
                f"{path}.key",
                f"{key!r} is a symptom in this playbook (line {symptom_keys[key]}): "
                "a symptom cannot be live and retired",
            )
        elif key in self.retired_keys:
            self.problem(fields["key"], f"{path}.key", taken_message(key, "in retired"))
        self.retired_keys.add(key)
        replaced_by = self.text(
            fields.get("replaced_by"), f"{path}.replaced_by", KEY_MAX_LENGTH, False
        )
        if replaced_by and replaced_by not in symptom_keys:
            self.problem(
                fields["replaced_by"],
                f"{path}.replaced_by",
                f"{replaced_by!r} is not a symptom in this playbook",
            )
        return RetiredSpec(key=key, replaced_by=replaced_by)

    def category(self, node, path, category_keys, symptom_keys):
        fields = self.mapping(node, path, ("key", "title", "symptoms"), ("key", "title"))
        if fields is None:
            return None
        category = CategorySpec(
            key=self.key(fields.get("key"), f"{path}.key", category_keys, "by another category"),
            title=self.title(fields.get("title"), f"{path}.title"),
        )
        if "symptoms" in fields:
            for i, item in enumerate(self.sequence(fields["symptoms"], f"{path}.symptoms")):
                symptom = self.symptom(item, f"{path}.symptoms[{i}]", symptom_keys)
                if symptom:
                    category.symptoms.append(symptom)
        return category

    def symptom(self, node, path, symptom_keys):
        fields = self.mapping(
            node,
            path,
            ("key", "title", "summary", "visibility", "owner", "review_every_days", "checks"),
            ("key", "title", "checks"),
        )
        if fields is None:
            return None
        symptom = SymptomSpec(
            key=self.key(fields.get("key"), f"{path}.key", symptom_keys, "by another symptom"),
            title=self.title(fields.get("title"), f"{path}.title"),
            summary=self.text(fields.get("summary"), f"{path}.summary", TEXT_MAX_LENGTH, False),
            visibility=self.choice(
                fields.get("visibility"), f"{path}.visibility", visibility_problem, "public"
            ),
            owner=self.text(fields.get("owner"), f"{path}.owner", OWNER_MAX_LENGTH, False),
            review_every_days=self.days(
                fields.get("review_every_days"), f"{path}.review_every_days"
            ),
        )
        if "owner" in fields:
            self.lines[f"{path}.owner"] = fields["owner"].start_mark.line + 1
        check_keys = {}
        if "checks" in fields:
            nodes = self.sequence(
                fields["checks"], f"{path}.checks", "must list at least one check"
            )
            if len(nodes) > MAX_CHECKS:
                self.problem(
                    fields["checks"],
                    f"{path}.checks",
                    f"lists {len(nodes)} checks: a symptom may list at most {MAX_CHECKS}",
                )
                nodes = []
            rule_nodes = []
            for i, item in enumerate(nodes):
                check = self.check(item, f"{path}.checks[{i}]", check_keys, rule_nodes)
                if check:
                    symptom.checks.append(check)
            for node, rule_path, target in rule_nodes:
                if "symptom" in target:
                    self.symptom_links.append((node, rule_path, target["symptom"], symptom.key))
            self.flow(symptom, path, nodes, rule_nodes)
        return symptom

    def flow(self, symptom, path, check_nodes, rule_nodes):
        """Where each jump leads: a check of this symptom, without making a cycle, and every
        check on some path from the first."""
        keys = [check.key for check in symptom.checks]
        if not keys or len(keys) != len(check_nodes) or len(set(keys)) != len(keys):
            return  # no checks, or one not read: its problem is reported already
        index = {key: i for i, key in enumerate(keys)}
        broken = False
        for node, rule_path, target in rule_nodes:
            if "goto" in target and target["goto"] not in index:
                self.problem(node, rule_path, f"{target['goto']!r} is not a check of this symptom")
                broken = True
        if broken:
            return
        following = [successors(symptom.checks, i, index) for i in range(len(keys))]
        if cycle := find_cycle(following):
            # Report the cycle at a jump in it (a cycle always has one: without jumps every
            # check only leads to the next).
            start, answer = next(
                (start, answer)
                for start, to in reversed(list(itertools.pairwise(cycle)))
                for answer in ANSWERS
                if index.get(symptom.checks[start].rules.get(answer, {}).get("goto")) == to
            )  # the jump that closes it, its first answer in the file's order
            rule_path = f"{path}.checks[{start}].on_{answer}"
            node = next(n for n, p, _ in rule_nodes if p == rule_path)
            route = " → ".join(keys[i] for i in cycle)
            self.problem(node, rule_path, f"makes a cycle: {route}")
            return
        reached = reachable(following)
        for i, node in enumerate(check_nodes):
            if i not in reached:
                self.problem(
                    node, f"{path}.checks[{i}]", "no path reaches this check: every jump skips it"
                )

    def check(self, node, path, check_keys, rule_nodes):
        plain = ("key", "title", "help")
        shown = (*plain, *RULE_FIELDS) if self.version >= 2 else plain
        fields = self.mapping(node, path, (*plain, *RULE_FIELDS), ("key", "title"), shown)
        if fields is None:
            return None
        check = CheckSpec(
            key=self.key(fields.get("key"), f"{path}.key", check_keys, "in this symptom"),
            title=self.title(fields.get("title"), f"{path}.title"),
            help=self.text(fields.get("help"), f"{path}.help", TEXT_MAX_LENGTH, False),
        )
        for answer in ANSWERS:
            rule_node = fields.get(f"on_{answer}")
            if rule_node is None:
                continue
            rule_path = f"{path}.on_{answer}"
            if self.version < 2:
                self.problem(rule_node, rule_path, "needs `playbook: 2`: rules came in schema 2")
                continue
            if rule := self.rule(rule_node, rule_path):
                check.rules[answer] = rule
                rule_nodes.append((rule_node, rule_path, rule))
        return check

    def rule(self, node, path):
        """One of {goto: check}, {outcome: resolved|not_resolved|escalated}, {symptom: key}."""
        fields = self.mapping(node, path, ("goto", "outcome", "symptom"), ())
        if fields is None:
            return None
        if len(fields) != 1:
            self.problem(node, path, "must say one thing: goto, outcome or symptom")
            return None
        ((name, value_node),) = fields.items()
        value = self.text(value_node, f"{path}.{name}", KEY_MAX_LENGTH)
        if not value:
            return None
        if name == "outcome" and value not in OUTCOMES:
            self.problem(value_node, f"{path}.outcome", f"must be one of {', '.join(OUTCOMES)}")
            return None
        if name != "outcome" and (problem := key_problem(value)):
            self.problem(value_node, f"{path}.{name}", problem)
            return None
        return {name: value}


def successors(checks, i, index):
    """The checks that can follow check `i`: each answer's jump, or the next check."""
    found = set()
    for answer in ANSWERS:
        rule = checks[i].rules.get(answer)
        if rule is None:
            if i + 1 < len(checks):
                found.add(i + 1)
        elif "goto" in rule:
            found.add(index[rule["goto"]])
    return sorted(found)


def find_cycle(following):
    """A cycle in the graph `following` (successors by node) as the nodes walked, ending
    where it began (e.g. [2, 0, 2]), or None."""
    state = [0] * len(following)  # 0 unseen, 1 on the current walk, 2 done
    for start in range(len(following)):
        if state[start]:
            continue
        walk = [(start, iter(following[start]))]
        state[start] = 1
        while walk:
            node, rest = walk[-1]
            nxt = next(rest, None)
            if nxt is None:
                state[node] = 2
                walk.pop()
            elif state[nxt] == 1:
                on_walk = [n for n, _ in walk]
                return [*on_walk[on_walk.index(nxt) :], nxt]
            elif state[nxt] == 0:
                state[nxt] = 1
                walk.append((nxt, iter(following[nxt])))
    return None


def flow_problems(checks):
    """What is wrong with how `checks` lead on, in the editor's words (the reader reports the
    same at publishing, with file and line): a jump to a check that is gone, a loop, a check
    no path reaches. Empty when the flow is sound."""
    if not checks:
        return []
    index = {check.key: i for i, check in enumerate(checks)}
    gone = [(c, r["goto"]) for c in checks for r in c.rules.values()
            if "goto" in r and r["goto"] not in index]  # fmt: skip
    if gone:
        return [f"“{check.title}” goes to {key!r}, which this symptom no longer lists."
                for check, key in gone]  # fmt: skip
    following = [successors(checks, i, index) for i in range(len(checks))]
    if cycle := find_cycle(following):
        route = " → ".join(f"“{checks[i].title}”" for i in cycle)
        return [f"The checks go round in a loop ({route}): change a step or move a check."]
    reached = reachable(following)
    return [
        f"No path reaches “{check.title}”: every jump skips it."
        for i, check in enumerate(checks)
        if i not in reached
    ]


def reachable(following):
    """The nodes some path from node 0 reaches."""
    seen, todo = {0}, [0]
    while todo:
        for nxt in following[todo.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


def _control_message(character):
    return f"contains the control character U+{ord(character):04X}, which a playbook does not allow"
