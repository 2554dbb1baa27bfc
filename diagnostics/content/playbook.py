"""The YAML playbook: import it into the content, export the content as one.

Reading and validating a file is in `playbook_schema`; the command and the upload page share
both modules, so they report the same errors and make the same changes.
"""

from dataclasses import dataclass

import yaml
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch, Q

from diagnostics import signals
from diagnostics.content import search
from diagnostics.content.changes import compare
from diagnostics.content.models import Category, Check, PlaybookRevision, Symptom
from diagnostics.content.playbook_schema import (
    ANSWERS,
    MAX_BYTES,
    CategorySpec,
    CheckSpec,
    Playbook,
    PlaybookError,
    Problem,
    RetiredSpec,
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
    "resolve_owners",
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


def staff_members():
    """The people who may own a symptom: active staff (anyone with a role, or an admin)."""
    return (
        get_user_model()
        .objects.filter(
            Q(groups__isnull=False) | Q(is_staff=True) | Q(is_superuser=True), is_active=True
        )
        .distinct()
    )


def resolve_owners(playbook, name="playbook.yaml", *, strict=True):
    """The owners the playbook names, by username; PlaybookError for any who is not staff.

    Not strict (publishing the editor's draft, restoring a revision), an owner who has left
    the staff since is cleared from the playbook instead: that must not block every publish."""
    wanted = {s.owner for _, s in playbook.symptoms() if s.owner}
    found = {u.get_username(): u for u in staff_members().filter(username__in=wanted)}
    if not strict:
        for _, symptom in playbook.symptoms():
            if symptom.owner and symptom.owner not in found:
                symptom.owner = ""
        return found
    problems = [
        Problem(
            playbook.lines.get(f"{path}.owner", 0),
            f"{path}.owner",
            f"{symptom.owner!r} is not the username of a staff member",
        )
        for path, symptom in _symptom_paths(playbook)
        if symptom.owner and symptom.owner not in found
    ]
    if problems:
        raise PlaybookError(name, problems)
    return found


def _symptom_paths(playbook):
    for i, category in enumerate(playbook.categories):
        for j, symptom in enumerate(category.symptoms):
            yield f"categories[{i}].symptoms[{j}]", symptom


@transaction.atomic
def import_playbook(
    playbook, *, source, user=None, message="", name="playbook.yaml", strict_owners=True
):
    """Publish `playbook`: bring the content in line with it, all or nothing.

    Matches categories, symptoms and checks by key: updates what changed, adds what is new, and
    retires (unpublishes) what the playbook no longer has. Deletes nothing, so saved cases keep
    their checks. Records a PlaybookRevision, with the playbook itself and what changed, only
    when something changed. Raises PlaybookError (naming `name`) for an owner who is not staff.
    """
    # Lock the newest revision first, so two publishes at once run one after the other.
    latest = PlaybookRevision.objects.select_for_update().current()
    owners = resolve_owners(playbook, name, strict=strict_owners)
    changes = compare(current_playbook(), playbook)
    if not changes and latest is not None:
        return ImportResult(revision=None)

    categories = {c.key: c for c in Category.objects.all()}
    symptoms = {s.key: s for s in Symptom.objects.all()}
    checks = {(c.symptom_id, c.key): c for c in Check.objects.all()}
    kept_categories, kept_symptoms, kept_checks = set(), set(), set()

    for category_position, category_spec in enumerate(playbook.categories, start=1):
        values = {"title": category_spec.title, "position": category_position, "published": True}
        category = categories.get(category_spec.key)
        if category is None:
            category = Category.objects.create(key=category_spec.key, **values)
        else:
            _sync(category, values)
        kept_categories.add(category.pk)

        for symptom_position, spec in enumerate(category_spec.symptoms, start=1):
            values = {
                "category_id": category.pk,
                "title": spec.title,
                "summary": spec.summary,
                "visibility": spec.visibility,
                "owner_id": owners[spec.owner].pk if spec.owner else None,
                "review_every_days": spec.review_every_days,
                "position": symptom_position,
                "published": True,
                "replaced_by_id": None,
            }
            symptom = symptoms.get(spec.key)
            if symptom is None:
                symptom = symptoms[spec.key] = Symptom.objects.create(key=spec.key, **values)
            else:
                _sync(symptom, values)
            kept_symptoms.add(symptom.pk)

            for check_position, check_spec in enumerate(spec.checks, start=1):
                values = {
                    "title": check_spec.title,
                    "help": check_spec.help,
                    "rules": check_spec.rules,
                    "position": check_position,
                    "published": True,
                }
                check = checks.get((symptom.pk, check_spec.key))
                if check is None:
                    check = Check.objects.create(symptom=symptom, key=check_spec.key, **values)
                else:
                    _sync(check, values)
                kept_checks.add(check.pk)

    replacements = {r.key: r.replaced_by for r in playbook.retired}
    for category in categories.values():
        if category.pk not in kept_categories:
            _sync(category, {"published": False})
    for key, symptom in symptoms.items():
        if symptom.pk not in kept_symptoms:
            replacement = symptoms.get(replacements.get(key, ""))
            values = {"published": False, "replaced_by_id": replacement.pk if replacement else None}
            _sync(symptom, values)
    for check in checks.values():
        if check.pk not in kept_checks:
            _sync(check, {"published": False})
    search.reindex()  # in this transaction: searches see the new content when pages do

    revision = PlaybookRevision.objects.create(
        number=latest.number + 1 if latest else 1,
        title=playbook.title,
        message=message[:200],
        content_hash=playbook.content_hash,
        document=dump_playbook(playbook),
        source=source[:200],
        imported_by=user,
        **changes.counts(),
    )
    signals.playbook_published.send(PlaybookRevision, revision=revision)
    return ImportResult(revision=revision)


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
    """The published content as a Playbook (four queries)."""
    latest = PlaybookRevision.objects.current()
    categories = Category.objects.filter(published=True).prefetch_related(
        Prefetch(
            "symptoms",
            queryset=Symptom.objects.published()
            .select_related("owner")
            .order_by("position", "key"),
        ),
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
                    visibility=symptom.visibility,
                    owner=symptom.owner.get_username() if symptom.owner else "",
                    review_every_days=symptom.review_every_days,
                    checks=[
                        CheckSpec(key=c.key, title=c.title, help=c.help, rules=c.rules)
                        for c in symptom.checks.all()
                    ],
                )
            )
        playbook.categories.append(spec)
    retired = Symptom.objects.filter(published=False, replaced_by__published=True).values_list(
        "key", "replaced_by__key"
    )
    playbook.retired = [RetiredSpec(key, replaced_by) for key, replaced_by in retired]
    return playbook


def published_playbook():
    """`current_playbook()`, built once per publish and kept in the cache: for pages that only
    read it (the editor's main page, at 200 symptoms most of its time). Never for a change,
    which reads the rows themselves inside its transaction."""
    from diagnostics.content.shared import published_fragment

    return published_fragment("playbook", current_playbook)


def export_playbook():
    """The published content as playbook YAML text, in the schema's field order."""
    return dump_playbook(current_playbook())


def dump_playbook(playbook):
    """A Playbook as YAML text, in the schema's field order, leaving out defaults."""
    document = {"playbook": playbook.version, "title": playbook.title, "categories": []}
    for category in playbook.categories:
        document["categories"].append(
            {
                "key": category.key,
                "title": category.title,
                "symptoms": [_symptom_document(s) for s in category.symptoms],
            }
        )
    if playbook.retired:
        document["retired"] = [
            {"key": r.key, "replaced_by": r.replaced_by} if r.replaced_by else {"key": r.key}
            for r in playbook.retired
        ]
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1000)


def _symptom_document(symptom):
    document = {"key": symptom.key, "title": symptom.title}
    if symptom.summary:
        document["summary"] = symptom.summary
    if not symptom.is_public:
        document["visibility"] = symptom.visibility
    if symptom.owner:
        document["owner"] = symptom.owner
    if symptom.review_every_days:
        document["review_every_days"] = symptom.review_every_days
    document["checks"] = []
    for check in symptom.checks:
        item = {"key": check.key, "title": check.title}
        if check.help:
            item["help"] = check.help
        for answer in ANSWERS:
            if answer in check.rules:
                item[f"on_{answer}"] = dict(check.rules[answer])
        document["checks"].append(item)
    return document
