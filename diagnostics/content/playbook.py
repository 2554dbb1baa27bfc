"""The YAML playbook: import it into the content, export the content as one.

Reading and validating a file is in `playbook_schema`; the command and the upload page share
both modules, so they report the same errors and make the same changes.
"""

from collections import Counter
from dataclasses import dataclass

import yaml
from django.db import transaction
from django.db.models import Prefetch

from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom
from diagnostics.content.playbook_schema import (
    MAX_BYTES,
    SCHEMA_VERSION,
    CategorySpec,
    CheckSpec,
    Playbook,
    PlaybookError,
    SymptomSpec,
    read_playbook,
    read_playbook_file,
)

_STR = "tag:yaml.org,2002:str"

__all__ = [
    "MAX_BYTES",
    "PlaybookError",
    "export_playbook",
    "import_playbook",
    "read_playbook",
    "read_playbook_file",
]

# -- Importing --------------------------------------------------------------------------------


@dataclass
class ImportResult:
    revision: PlaybookRevision | None  # None when the import changed nothing

    @property
    def changed(self):
        return self.revision is not None

    @property
    def summary(self):
        if self.revision is None:
            latest = PlaybookRevision.objects.current()
            matches = f" (matches revision {latest.number})" if latest else ""
            return f"no changes{matches}"
        return self.revision.summary


def _sync(obj, values):
    """Set the values that differ and save only those; returns whether anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return bool(changed)


@transaction.atomic
def import_playbook(playbook, *, source, user=None):
    """Bring the content in line with `playbook`, all or nothing.

    Matches categories, symptoms and checks by key: updates what changed, adds what is new, and
    retires (unpublishes) what the playbook no longer has. Deletes nothing, so saved cases keep
    their checks. Records a PlaybookRevision only when something changed.
    """
    # Lock the newest revision first, so two imports at once run one after the other.
    latest = PlaybookRevision.objects.select_for_update().current()
    categories = {c.key: c for c in Category.objects.all()}
    symptoms = {s.key: s for s in Symptom.objects.all()}
    checks = {(c.symptom_id, c.key): c for c in Check.objects.all()}
    counts = Counter()
    kept_symptoms, kept_checks = set(), set()

    for category_position, category_spec in enumerate(playbook.categories, start=1):
        values = {"title": category_spec.title, "position": category_position}
        category = categories.get(category_spec.key)
        if category is None:
            category = Category.objects.create(key=category_spec.key, **values)
            counts["categories"] += 1
        elif _sync(category, values):
            counts["categories"] += 1

        for symptom_position, spec in enumerate(category_spec.symptoms, start=1):
            values = {
                "category_id": category.pk,
                "title": spec.title,
                "summary": spec.summary,
                "position": symptom_position,
                "published": True,
            }
            symptom = symptoms.get(spec.key)
            if symptom is None:
                symptom = Symptom.objects.create(key=spec.key, **values)
                counts["symptoms_added"] += 1
            elif _sync(symptom, values):
                counts["symptoms_changed"] += 1
            kept_symptoms.add(symptom.pk)

            for check_position, check_spec in enumerate(spec.checks, start=1):
                values = {
                    "title": check_spec.title,
                    "help": check_spec.help,
                    "position": check_position,
                    "published": True,
                }
                check = checks.get((symptom.pk, check_spec.key))
                if check is None:
                    check = Check.objects.create(symptom=symptom, key=check_spec.key, **values)
                    counts["checks_added"] += 1
                elif _sync(check, values):
                    counts["checks_changed"] += 1
                kept_checks.add(check.pk)

    for symptom in symptoms.values():
        if symptom.pk not in kept_symptoms and _sync(symptom, {"published": False}):
            counts["symptoms_retired"] += 1
    for check in checks.values():
        if check.pk not in kept_checks and _sync(check, {"published": False}):
            counts["checks_retired"] += 1

    if not counts and latest is not None and latest.title == playbook.title:
        return ImportResult(revision=None)
    revision = PlaybookRevision.objects.create(
        number=latest.number + 1 if latest else 1,
        title=playbook.title,
        content_hash=playbook.content_hash,
        source=source[:200],
        imported_by=user,
        **{name: counts[name] for name in _COUNTED},
    )
    return ImportResult(revision=revision)


_COUNTED = (
    "symptoms_added",
    "symptoms_changed",
    "symptoms_retired",
    "checks_added",
    "checks_changed",
    "checks_retired",
)


# -- Exporting --------------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Indents lists under their key and writes multi-line text as literal blocks, so an export
    reads like a hand-written playbook."""

    def increase_indent(self, flow=False, indentless=False):
        return super().increase_indent(flow, False)


def _represent_str(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _represent_str)


def current_playbook():
    """The published content as a Playbook (three queries)."""
    latest = PlaybookRevision.objects.current()
    categories = Category.objects.prefetch_related(
        Prefetch("symptoms", queryset=Symptom.objects.published().order_by("position", "key")),
        Prefetch("symptoms__checks", queryset=Check.objects.published()),
    )
    playbook = Playbook(title=latest.title if latest else "Playbook")
    for category in categories:
        spec = CategorySpec(key=category.key, title=category.title)
        for symptom in category.symptoms.all():
            spec.symptoms.append(
                SymptomSpec(
                    key=symptom.key,
                    title=symptom.title,
                    summary=symptom.summary,
                    checks=[
                        CheckSpec(key=c.key, title=c.title, help=c.help)
                        for c in symptom.checks.all()
                    ],
                )
            )
        if spec.symptoms:
            playbook.categories.append(spec)
    return playbook


def export_playbook():
    """The published content as playbook YAML text, in the schema's field order."""
    playbook = current_playbook()
    document = {"playbook": SCHEMA_VERSION, "title": playbook.title, "categories": []}
    for category in playbook.categories:
        document["categories"].append(
            {
                "key": category.key,
                "title": category.title,
                "symptoms": [_symptom_document(s) for s in category.symptoms],
            }
        )
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def _symptom_document(symptom):
    document = {"key": symptom.key, "title": symptom.title}
    if symptom.summary:
        document["summary"] = symptom.summary
    document["checks"] = []
    for check in symptom.checks:
        item = {"key": check.key, "title": check.title}
        if check.help:
            item["help"] = check.help
        document["checks"].append(item)
    return document
