"""What changes between two playbooks: the one view behind "Publish", an upload, "Compare" and
"Restore", and the counts each revision records.

Symptoms are matched by key across the whole playbook, checks by key within their symptom.
Moves are found with a longest common subsequence, so inserting one item does not report every
item after it as moved: only what actually changed places.
"""

from dataclasses import dataclass, field
from difflib import SequenceMatcher

SYMPTOM_FIELDS = [
    ("title", "Title"),
    ("summary", "Summary"),
    ("visibility", "Visibility"),
    ("owner", "Owner"),
    ("review_every_days", "Review every (days)"),
]
CHECK_FIELDS = [("title", "Title"), ("help", "Help"), ("rules_text", "What follows")]


@dataclass
class FieldChange:
    label: str
    old: object
    new: object


@dataclass
class ItemChange:
    """One category, symptom or check that was added, retired, changed or moved."""

    key: str
    title: str
    added: bool = False
    retired: bool = False
    fields: list[FieldChange] = field(default_factory=list)
    moved: str = ""  # how, in words
    checks: list["ItemChange"] = field(default_factory=list)
    note: str = ""  # for a retired symptom: where its link now leads

    @property
    def changed(self):
        """Its own fields or place changed (not only its checks)."""
        return bool(self.fields or self.moved)

    @property
    def kind(self):
        if self.added:
            return "added"
        if self.retired:
            return "retired"
        if self.fields:
            return "changed"
        if self.moved:
            return "moved"
        return "checks"


@dataclass
class Changes:
    title: FieldChange | None = None
    categories: list[ItemChange] = field(default_factory=list)
    symptoms: list[ItemChange] = field(default_factory=list)
    links: list[FieldChange] = field(default_factory=list)  # retired links pointed elsewhere

    def __bool__(self):
        return bool(self.title or self.categories or self.symptoms or self.links)

    def counts(self):
        """What a revision records: symptoms and checks added, changed (or moved), retired."""
        checks = [c for s in self.symptoms for c in s.checks]
        return {
            "symptoms_added": sum(s.added for s in self.symptoms),
            "symptoms_changed": sum(s.changed for s in self.symptoms if not s.added),
            "symptoms_retired": sum(s.retired for s in self.symptoms),
            "checks_added": sum(c.added for c in checks),
            "checks_changed": sum(c.changed for c in checks if not c.added),
            "checks_retired": sum(c.retired for c in checks),
        }


def _moved(old_keys, new_keys):
    """Keys in both lists whose place changed: those outside a longest common subsequence."""
    common = set(old_keys) & set(new_keys)
    old = [k for k in old_keys if k in common]
    new = [k for k in new_keys if k in common]
    blocks = SequenceMatcher(a=old, b=new, autojunk=False).get_matching_blocks()
    kept = {key for block in blocks for key in new[block.b : block.b + block.size]}
    return common - kept


def _field_changes(old, new, names):
    return [
        FieldChange(label, getattr(old, name), getattr(new, name))
        for name, label in names
        if getattr(old, name) != getattr(new, name)
    ]


def compare(old, new):
    """The changes that turn playbook `old` into playbook `new`."""
    changes = Changes()
    if old.title != new.title:
        changes.title = FieldChange("Playbook title", old.title, new.title)

    old_categories = {c.key: c for c in old.categories}
    new_categories = {c.key: c for c in new.categories}
    moved = _moved(list(old_categories), list(new_categories))
    for position, category in enumerate(new.categories, start=1):
        before = old_categories.get(category.key)
        item = ItemChange(category.key, category.title, added=before is None)
        if before is not None:
            if before.title != category.title:
                item.fields.append(FieldChange("Title", before.title, category.title))
            if category.key in moved:
                item.moved = f"now {position} of {len(new.categories)} categories"
        if item.added or item.changed:
            changes.categories.append(item)
    for key, category in old_categories.items():
        if key not in new_categories:
            changes.categories.append(ItemChange(key, category.title, retired=True))

    old_symptoms = {s.key: (c, s) for c, s in old.symptoms()}
    new_symptoms = {s.key: (c, s) for c, s in new.symptoms()}
    moved = set()
    for category in new.categories:
        before = old_categories.get(category.key)
        if before is not None:
            moved |= _moved([s.key for s in before.symptoms], [s.key for s in category.symptoms])
    for category, symptom in new.symptoms():
        before_category, before = old_symptoms.get(symptom.key, (None, None))
        item = ItemChange(symptom.key, symptom.title, added=before is None)
        if before is None:
            item.checks = [ItemChange(c.key, c.title, added=True) for c in symptom.checks]
            changes.symptoms.append(item)
            continue
        item.fields = _field_changes(before, symptom, SYMPTOM_FIELDS)
        if before_category.key != category.key:
            item.moved = f"from “{before_category.title}” to “{category.title}”"
        elif symptom.key in moved:
            place = [s.key for s in category.symptoms].index(symptom.key) + 1
            item.moved = f"now {place} of {len(category.symptoms)} in “{category.title}”"
        item.checks = _compare_checks(before.checks, symptom.checks)
        if item.changed or item.checks:
            changes.symptoms.append(item)

    replacements = {r.key: r.replaced_by for r in new.retired}
    titles = {s.key: s.title for _, s in new.symptoms()}
    for key, (_, symptom) in old_symptoms.items():
        if key not in new_symptoms:
            item = ItemChange(key, symptom.title, retired=True)
            item.checks = [ItemChange(c.key, c.title, retired=True) for c in symptom.checks]
            replacement = replacements.get(key)
            item.note = (
                f"Its link will answer “Gone” and point to “{titles[replacement]}”."
                if replacement
                else "Its link will stop working (it will answer “Gone”)."
            )
            changes.symptoms.append(item)

    old_replacements = {r.key: r.replaced_by for r in old.retired}
    for key, replaced_by in replacements.items():
        if key in old_symptoms and key not in new_symptoms:
            continue  # told with the retired symptom
        if old_replacements.get(key, "") != replaced_by:
            changes.links.append(
                FieldChange(f"/symptoms/{key}/", old_replacements.get(key, ""), replaced_by)
            )
    for key, replaced_by in old_replacements.items():
        if key not in replacements and key not in new_symptoms:
            changes.links.append(FieldChange(f"/symptoms/{key}/", replaced_by, ""))
    return changes


def _compare_checks(old_checks, new_checks):
    before = {c.key: c for c in old_checks}
    after = {c.key for c in new_checks}
    moved = _moved([c.key for c in old_checks], [c.key for c in new_checks])
    items = []
    for position, check in enumerate(new_checks, start=1):
        old = before.get(check.key)
        if old is None:
            items.append(ItemChange(check.key, check.title, added=True))
            continue
        item = ItemChange(check.key, check.title, fields=_field_changes(old, check, CHECK_FIELDS))
        if check.key in moved:
            item.moved = f"now check {position} of {len(new_checks)}"
        if item.changed:
            items.append(item)
    items += [ItemChange(c.key, c.title, retired=True) for c in old_checks if c.key not in after]
    return items
