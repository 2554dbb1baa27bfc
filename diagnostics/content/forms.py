"""The editor's forms and the playbook upload.

Every field is checked by the rule functions the YAML reader uses (`playbook_schema`), so a
title too long in the browser gets the same message as one too long in a file."""

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict

from django import forms

from diagnostics.content.models import (
    KEY_MAX_LENGTH,
    MESSAGE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    TITLE_MAX_LENGTH,
    Category,
    Visibility,
)
from diagnostics.content.playbook import MAX_BYTES, staff_members
from diagnostics.content.playbook_schema import (
    ANSWERS,
    MAX_CHECKS,
    OUTCOME_LABELS,
    OUTCOMES,
    REVIEW_MAX_DAYS,
    CategorySpec,
    CheckSpec,
    SymptomSpec,
    find_cycle,
    key_problem,
    line_problem,
    review_days_problem,
    successors,
    taken_message,
    text_problem,
)
from diagnostics.content.search import QUERY_MAX_LENGTH
from diagnostics.staff.models import display_name
from diagnostics.validators import refuse_layout_characters


class SearchForm(forms.Form):
    """The symptom index's search box (a GET form: a search is a link)."""

    q = forms.CharField(
        label="Search symptoms",
        required=False,
        max_length=QUERY_MAX_LENGTH,
        validators=[refuse_layout_characters],
        error_messages={"max_length": f"Keep the search under {QUERY_MAX_LENGTH} characters."},
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": "Such as “webhooks not firing”",
                "autocomplete": "off",
                "spellcheck": "false",
            }
        ),
    )

    # Browsing one category of a large playbook, a page at a time.
    category = forms.ModelChoiceField(
        queryset=Category.objects.filter(published=True),
        to_field_name="key",
        required=False,
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "That category is not in the playbook."},
    )
    page = forms.IntegerField(
        required=False, min_value=1, max_value=100_000, widget=forms.HiddenInput
    )


class PlaybookUploadForm(forms.Form):
    file = forms.FileField(
        label="Playbook file (YAML)",
        error_messages={
            "required": "Choose a playbook file to import.",
            "empty": "The file is empty.",
        },
    )

    def read(self):
        """The upload's name and bytes, never more than the limit plus one byte."""
        upload = self.cleaned_data["file"]
        return upload.name, upload.read(MAX_BYTES + 1)


def fingerprint(item, **context):
    """A short hash of what an editor saw of `item` (and of `context`, such as a symptom's
    category): a change saved since makes it differ. A symptom's checks are left out, so
    editing a check never conflicts with its symptom."""
    data = asdict(item)
    data.pop("checks", None)
    data.pop("symptoms", None)
    data.update(context)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def text_field(label, max_length, *, required=True, textarea=False, help_text=""):
    attrs = {"maxlength": max_length}
    if textarea:
        attrs["rows"] = 6
    return forms.CharField(
        label=label,
        required=False,  # the reader's rules say what is required, with its message
        widget=forms.Textarea(attrs=attrs) if textarea else forms.TextInput(attrs=attrs),
        help_text=help_text,
    )


def slug(title):
    """Lowercase ASCII letters and digits, each run of anything else one hyphen: the rule the
    page's script shows as the title is typed ("Foo_bar, baz!" -> "foo-bar-baz")."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def suggested_key(title, taken):
    """A key made from the title, unique among `taken`: "Webhooks not firing" ->
    "webhooks-not-firing", then "webhooks-not-firing-2"."""
    base = slug(title)[:KEY_MAX_LENGTH].strip("-") or "item"
    key, n = base, 2
    while key in taken:
        suffix = f"-{n}"
        key = base[: KEY_MAX_LENGTH - len(suffix)].rstrip("-") + suffix
        n += 1
    return key


class ItemForm(forms.Form):
    """A category, symptom or check in the draft: its fields checked by the playbook's rules,
    its key unique in its scope, and no silent overwrite of someone else's change."""

    scope = ""  # for "is already used ..."
    texts = {"title": (TITLE_MAX_LENGTH, True)}  # field name -> (max length, required)
    lines = {"title"}  # one-line fields: the reader's rule for titles

    title = text_field("Title", TITLE_MAX_LENGTH)
    key = text_field(
        "Key",
        KEY_MAX_LENGTH,
        help_text="Lowercase letters, digits and hyphens. Left empty, it is made from the title.",
    )
    fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)

    conflict = None  # the item as someone else saved it, when it changed under this form

    def __init__(self, *args, item=None, taken=(), last_change=None, **kwargs):
        self.item = item
        self.last_change = last_change or {}
        self.taken = set(taken) - ({item.key} if item else set())
        initial = kwargs.setdefault("initial", {})
        if item is not None:
            initial.update(
                {name: getattr(item, name) for name in self.base_fields if hasattr(item, name)}
            )
        super().__init__(*args, **kwargs)
        if item is not None:
            self.initial["fingerprint"] = self.fingerprint_of(item)
        if item is None:  # the page shows the key it will make as the title is typed
            self.fields["key"].widget.attrs["data-slug-from"] = self["title"].id_for_label

    def clean(self):
        data = super().clean()
        for name, (max_length, required) in self.texts.items():
            value = data.get(name, "")
            rule = line_problem if name in self.lines else text_problem
            if problem := rule(value, max_length, required):
                self.add_error(name, problem)
        key = data.get("key", "")
        if not key and data.get("title") and "title" not in self.errors:
            key = data["key"] = suggested_key(data["title"], self.taken)
        if key and (problem := key_problem(key)):
            self.add_error("key", problem)
        elif key in self.taken:
            self.add_error("key", taken_message(key, self.scope))
        self.check_conflict(data)
        return data

    def check_conflict(self, data):
        """Someone changed (or removed) the item since this form was loaded: say what they
        saved, keep what this person typed, and let them save again on purpose."""
        if self.item is None or data.get("fingerprint") == self.fingerprint_of(self.item):
            return
        self.conflict = self.item
        self.data = self.data.copy()
        self.data["fingerprint"] = self.fingerprint_of(self.item)
        who = self.last_change.get("by", "Someone else")
        self.add_error(
            None,
            f"{who} saved a change to this while you were editing it, so nothing was saved. "
            "Their version is shown here; yours is still in the form. Save again to replace "
            "theirs with yours.",
        )

    def fingerprint_of(self, item):
        return fingerprint(item)

    @property
    def conflict_values(self):
        """(label, value) of each field as the other person saved it."""
        return [
            (field.label, getattr(self.conflict, name))
            for name, field in self.fields.items()
            if hasattr(self.conflict, name) and name != "fingerprint"
        ]


class CategoryForm(ItemForm):
    scope = "by another category"

    def apply(self, playbook):
        """Add or change the category in `playbook`; returns it."""
        data = self.cleaned_data
        if self.item is None:
            category = CategorySpec(key=data["key"], title=data["title"])
            playbook.categories.append(category)
            return category
        self.item.key, self.item.title = data["key"], data["title"]
        return self.item


def rule_value(rule):
    """A rule as one choice value: {"goto": "fix-url"} -> "goto:fix-url"; none -> ""."""
    if not rule:
        return ""
    ((kind, target),) = rule.items()
    return f"{kind}:{target}"


def rule_from_value(value):
    if not value:
        return None
    kind, target = value.split(":", 1)
    return {kind: target}


class CheckForm(ItemForm):
    """A check, with what follows each answer chosen from lists: another check of its symptom,
    an outcome, or another symptom (playbook schema 2). The default is the next check."""

    scope = "in this symptom"
    texts = {"title": (TITLE_MAX_LENGTH, True), "help": (TEXT_MAX_LENGTH, False)}

    help = text_field(
        "Help", TEXT_MAX_LENGTH, textarea=True, help_text="How to verify it. Markdown."
    )
    on_ok = forms.ChoiceField(label="After “Passed”", required=False)
    on_problem = forms.ChoiceField(label="After “Problem found”", required=False)
    on_na = forms.ChoiceField(label="After “Not applicable”", required=False)

    def __init__(self, *args, symptom=None, playbook=None, **kwargs):
        item = kwargs.get("item")
        if item is not None:
            kwargs.setdefault("initial", {}).update(
                {f"on_{answer}": rule_value(item.rules.get(answer)) for answer in ANSWERS}
            )
        super().__init__(*args, **kwargs)
        self.symptom = symptom
        own = item.key if item else None
        checks = [(f"goto:{c.key}", f"Go to check: {c.title}")
                  for c in (symptom.checks if symptom else []) if c.key != own]  # fmt: skip
        outcomes = [(f"outcome:{o}", f"End: {OUTCOME_LABELS[o]}") for o in OUTCOMES]
        others = [(f"symptom:{s.key}", f"Continue with: {s.title}")
                  for _, s in (playbook.symptoms() if playbook else [])
                  if symptom is None or s.key != symptom.key]  # fmt: skip
        choices = [("", "The next check in order")]
        for label, group in (("Checks", checks), ("Outcomes", outcomes), ("Symptoms", others)):
            if group:
                choices.append((label, group))
        for answer in ANSWERS:
            self.fields[f"on_{answer}"].choices = choices

    @property
    def rule_fields(self):
        return [self[f"on_{answer}"] for answer in ANSWERS]

    def rules(self):
        data = self.cleaned_data
        found = {answer: rule_from_value(data.get(f"on_{answer}")) for answer in ANSWERS}
        return {answer: rule for answer, rule in found.items() if rule}

    def clean(self):
        data = super().clean()
        if self.item is None and self.symptom and len(self.symptom.checks) >= MAX_CHECKS:
            self.add_error(None, f"A symptom may list at most {MAX_CHECKS} checks.")
        if self.symptom is not None and not self.errors:
            self.check_cycle(data)
        return data

    def check_cycle(self, data):
        """Refuse a jump that would lead back round in a loop, naming the loop, so it is
        fixed here rather than found at publishing."""
        checks = [CheckSpec(c.key, c.title, rules=c.rules) for c in self.symptom.checks]
        mine = CheckSpec(data["key"], data["title"], rules=self.rules())
        if self.item is None:
            checks.append(mine)
        else:
            at = next(i for i, c in enumerate(self.symptom.checks) if c is self.item)
            checks[at] = mine
        renamed = {self.item.key: mine.key} if self.item else {}
        for check in checks:  # its own new key, where other checks jump to it
            check.rules = {a: {"goto": renamed.get(r["goto"], r["goto"])} if "goto" in r else r
                           for a, r in check.rules.items()}  # fmt: skip
        index = {c.key: i for i, c in enumerate(checks)}
        if any("goto" in r and r["goto"] not in index for c in checks for r in c.rules.values()):
            return  # a target retired meanwhile: publishing names it
        cycle = find_cycle([successors(checks, i, index) for i in range(len(checks))])
        if cycle:
            route = " → ".join(checks[i].title for i in cycle)
            field = next((f"on_{a}" for a in ANSWERS if a in mine.rules), None)
            self.add_error(field, f"This would make a loop ({route}): choose another step.")

    def apply(self, symptom):
        data = self.cleaned_data
        values = {"key": data["key"], "title": data["title"], "help": data["help"]}
        rules = self.rules()
        if self.item is None:
            check = CheckSpec(**values, rules=rules)
            symptom.checks.append(check)
            return check
        old_key = self.item.key
        for name, value in values.items():
            setattr(self.item, name, value)
        self.item.rules = rules
        if old_key != self.item.key:  # jumps to it follow its new key
            for check in symptom.checks:
                for rule in check.rules.values():
                    if rule.get("goto") == old_key:
                        rule["goto"] = self.item.key
        return self.item


class SymptomForm(ItemForm):
    scope = "by another symptom"
    texts = {"title": (TITLE_MAX_LENGTH, True), "summary": (TEXT_MAX_LENGTH, False)}

    category = forms.ChoiceField(label="Category")
    summary = text_field(
        "Summary",
        TEXT_MAX_LENGTH,
        textarea=True,
        help_text="What the customer sees, in more words. Markdown.",
    )
    visibility = forms.ChoiceField(
        label="Who can open it",
        choices=[
            (Visibility.PUBLIC, "Everyone with the link (public)"),
            (Visibility.STAFF, "Signed-in staff only"),
        ],
    )
    owner = forms.ChoiceField(label="Owner", required=False, help_text="Who keeps it up to date.")
    review_every_days = forms.IntegerField(
        label="Review every (days)",
        required=False,
        min_value=-(2**31),
        max_value=2**31,
        widget=forms.NumberInput(attrs={"min": 1, "max": REVIEW_MAX_DAYS}),
        help_text="Empty: no scheduled review.",
    )
    confirm_key_change = forms.BooleanField(
        label="Yes, change the public link", required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, playbook, published_keys=(), **kwargs):
        self.playbook = playbook
        self.published_keys = set(published_keys)
        item = kwargs.get("item")
        if item is not None:
            category, _ = playbook.symptom(item.key)
            kwargs.setdefault("initial", {})["category"] = category.key
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [(c.key, c.title) for c in playbook.categories]
        owners = staff_members().order_by("first_name", "last_name", "username")
        choices = [(user.get_username(), display_name(user)) for user in owners]
        if item is not None and item.owner and item.owner not in dict(choices):
            # Kept until someone chooses another: saving the form must not drop it quietly.
            choices.append((item.owner, f"{item.owner} (no longer staff)"))
        self.fields["owner"].choices = [("", "Nobody"), *choices]

    def fingerprint_of(self, item):
        """A symptom's place counts too: moving it to another category is a change."""
        category, _ = self.playbook.symptom(item.key)
        return fingerprint(item, category=category.key if category else "")

    @property
    def key_changes_link(self):
        return (
            self.item is not None
            and self.item.key in self.published_keys
            and self.data.get("key", self.item.key).strip() != self.item.key
        )

    def clean(self):
        data = super().clean()
        days = data.get("review_every_days")
        if days is not None and (problem := review_days_problem(days)):
            self.add_error("review_every_days", problem)
        if (
            self.key_changes_link
            and "key" not in self.errors
            and not data.get("confirm_key_change")
        ):
            self.fields["confirm_key_change"].widget = forms.CheckboxInput()
            self.add_error(
                "confirm_key_change",
                f"This symptom is published: changing its key changes its public link from "
                f"/symptoms/{self.item.key}/ to /symptoms/{data.get('key')}/. Links already "
                "sent to customers will answer “Gone” and point to the new page.",
            )
        return data

    def apply(self):
        data = self.cleaned_data
        values = {
            "key": data["key"],
            "title": data["title"],
            "summary": data["summary"],
            "visibility": data["visibility"],
            "owner": data["owner"],
            "review_every_days": data["review_every_days"],
        }
        category = self.playbook.category(data["category"])
        self.playbook.revive(values["key"])
        if self.item is None:
            symptom = SymptomSpec(**values)
            category.symptoms.append(symptom)
            return symptom
        old_key = self.item.key
        current_category, _ = self.playbook.symptom(old_key)
        for name, value in values.items():
            setattr(self.item, name, value)
        if current_category is not category:
            current_category.symptoms.remove(self.item)
            category.symptoms.append(self.item)
        if old_key != self.item.key:
            self.playbook.retarget_symptom(old_key, self.item.key)
        if old_key != self.item.key and old_key in self.published_keys:
            self.playbook.rename_symptom(old_key, self.item.key)
        return self.item


class RetireSymptomForm(forms.Form):
    replaced_by = forms.ChoiceField(
        label="Point its old link to",
        required=False,
        help_text="People who open the old link are sent on to this symptom.",
    )

    def __init__(self, *args, playbook, symptom, **kwargs):
        super().__init__(*args, **kwargs)
        # Those who could open the old page must be able to open the new one.
        self.fields["replaced_by"].choices = [("", "No replacement: just say it is gone")] + [
            (s.key, s.title)
            for _, s in playbook.symptoms()
            if s.key != symptom.key and (s.is_public or not symptom.is_public)
        ]
        self.links = [(s, c) for s, c in playbook.links_to(symptom.key) if s is not symptom]

    def clean_replaced_by(self):
        """A symptom other checks continue with needs a replacement to continue with."""
        replaced_by = self.cleaned_data["replaced_by"]
        if self.links and not replaced_by:
            source, check = self.links[0]
            raise forms.ValidationError(
                f"The check “{check.title}” of “{source.title}” continues with this symptom: "
                "choose a replacement for it to continue with, or change that check first."
            )
        if any(source.key == replaced_by for source, _ in self.links):
            source, check = next((s, c) for s, c in self.links if s.key == replaced_by)
            raise forms.ValidationError(
                f"The check “{check.title}” of “{source.title}” continues with this symptom, so "
                f"“{source.title}” cannot replace it: a symptom cannot continue with itself."
            )
        return replaced_by


class PublishForm(forms.Form):
    message = text_field(
        "What changed",
        MESSAGE_MAX_LENGTH,
        help_text="One line for the history, such as “Clearer webhook checks”.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)
    # The published revision the person saw the changes against.
    revision = forms.IntegerField(
        widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31
    )

    def clean_message(self):
        message = " ".join(self.cleaned_data["message"].split())
        if problem := line_problem(message, MESSAGE_MAX_LENGTH):
            raise forms.ValidationError(problem)
        return message


class RestoreForm(forms.Form):
    message = PublishForm.base_fields["message"]
    clean_message = PublishForm.clean_message
