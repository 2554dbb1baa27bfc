"""The playbook editor under /playbook/: categories, symptoms and checks changed in one shared
draft, previewed as the public pages will show them, and published as a revision.

Every change locks the draft row, re-reads it, validates against it and saves it in one
transaction, so two editors' changes apply one after the other and neither is lost. Every
action is a plain form POST and redirect; with htmx the same view answers with the fragment.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from diagnostics.content import search
from diagnostics.content.changes import Changes, compare
from diagnostics.content.flow_diagram import diagram
from diagnostics.content.forms import (
    CategoryForm,
    CheckForm,
    PlaybookUploadForm,
    PublishForm,
    RetireSymptomForm,
    SymptomForm,
)
from diagnostics.content.markdown import render_markdown
from diagnostics.content.models import (
    TEXT_MAX_LENGTH,
    PlaybookDraft,
    PlaybookRevision,
    SearchCount,
    Symptom,
)
from diagnostics.content.playbook import (
    PlaybookError,
    current_playbook,
    dump_playbook,
    import_playbook,
    read_playbook,
    resolve_owners,
)
from diagnostics.content.playbook_schema import flow_problems, move, text_problem
from diagnostics.http import csrf_field, post_only, render_htmx, whole_page, with_links
from diagnostics.review import evidence, insights
from diagnostics.staff.roles import staff_page

editor_page = staff_page("diagnostics.manage_playbook")


def to_editor(*args):
    return reverse("diagnostics:playbook")


def to_symptom(key, *args):
    return reverse("diagnostics:edit_symptom", args=[key])


def published_keys():
    return set(Symptom.objects.published().values_list("key", flat=True))


class ItemGone(Http404):
    """The item an address names is not in the draft: someone renamed or retired it."""

    def __init__(self, kind, key, last_change):
        super().__init__(f"No {kind} {key!r} in the draft.")
        self.kind, self.key, self.last_change = kind, key, last_change or {}


TYPED = ["title", "key", "summary", "help", "new-title", "new-help"]


def keeps_what_was_typed(view):
    """An edit to an item someone else renamed or retired meanwhile is not lost in a bare
    404: the page says what happened and gives back everything the person typed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except ItemGone as gone:
            typed = [
                (name.removeprefix("new-").capitalize(), request.POST[name])
                for name in TYPED
                if request.POST.get(name, "").strip()
            ]
            context = {"gone": gone, "typed": typed, "in_place": bool(request.htmx)}
            status = 409 if request.method == "POST" else 404
            return render_htmx(request, "content/editor_gone.html", "gone", context, status)

    return wrapper


@dataclass
class Editing:
    """The draft as one request sees it: the row, its playbook and the published content."""

    draft: PlaybookDraft
    playbook: object

    @classmethod
    def read(cls, *, kept=False):
        """Only read, to show a page. `kept`: the published content may come from the cache
        (kept until the next publish), for a page that shows only what a publish changes:
        not for a form, whose fingerprint must match the rows its post will read (an
        owner's renamed account changes those without a publish)."""
        draft = PlaybookDraft.get()
        return cls(draft, draft.playbook(kept=kept))

    @classmethod
    def lock(cls):
        """Inside atomic(): the draft row locked until the transaction ends, for a change."""
        draft = PlaybookDraft.lock()
        editing = cls(draft, draft.playbook())
        editing.original = editing.playbook.as_dict()  # what `save` compares the change with
        return editing

    @classmethod
    def for_request(cls, request):
        """Locked for a change (POST), only read to show a form (GET)."""
        return cls.lock() if request.method == "POST" else cls.read()

    def symptom(self, key):
        category, symptom = self.playbook.symptom(key)
        if symptom is None:
            raise ItemGone("symptom", key, self.last_change(f"symptom:{key}"))
        return category, symptom

    def check(self, symptom, key):
        check = next((c for c in symptom.checks if c.key == key), None)
        if check is None:
            raise ItemGone("check", key, self.last_change(f"check:{symptom.key}/{key}"))
        return check

    def category(self, key):
        category = self.playbook.category(key)
        if category is None:
            raise ItemGone("category", key, self.last_change(f"category:{key}"))
        return category

    @cached_property
    def published(self):
        return current_playbook() if self.draft.active else self.playbook

    @cached_property
    def published_revision(self):
        return PlaybookRevision.objects.current()

    @cached_property
    def changes(self):
        if not self.draft.active:
            return Changes()  # the published content, unchanged
        return compare(self.published, self.playbook)

    def last_change(self, item):
        return self.draft.touched.get(item) if self.draft.active else None

    def save(self, user, item, what):
        """Store the changed draft (read with `lock`). A change that changed nothing (a move
        past the end) stores nothing; a draft back to the published content is no draft."""
        if self.playbook.as_dict() == self.original:
            return
        if self.draft.active and not compare(current_playbook(), self.playbook):
            self.draft.clear()
            return
        self.draft.store(self.playbook, user, item, what)


def direction(request):
    return -1 if request.POST.get("direction") == "up" else 1


# -- The editor's main page -------------------------------------------------------------------


@editor_page
def playbook(request):
    editing = Editing.read(kept=True)  # the outline: keys, titles, checks, visibility
    return render_editor(request, editing)


def render_editor(request, editing, *, upload_form=None, errors=(), status=200):
    # Only what the "due for review" list and the badges read: 200 full rows were a good part
    # of the page's time.
    symptoms = (
        Symptom.objects.published()
        .select_related("owner", "reviewed_by")
        .only(
            *("key", "title", "review_every_days", "reviewed_at", "added_at"),
            *("owner__username", "owner__first_name", "owner__last_name"),
            *("reviewed_by__username", "reviewed_by__first_name", "reviewed_by__last_name"),
        )
    )
    # Each row links to its page and moves with a form: one reverse() per kind, not per row.
    categories = editing.playbook.categories
    with_links(categories, "diagnostics:edit_category", "key", "edit_url")
    with_links(categories, "diagnostics:move_category", "key", "move_url")
    for category in categories:
        with_links(category.symptoms, "diagnostics:edit_symptom", "key", "edit_url")
        with_links(category.symptoms, "diagnostics:move_symptom", "key", "move_url")
    due = [s for s in symptoms if s.review_due()]
    context = {
        "editing": editing,
        "draft": editing.draft,
        "playbook": editing.playbook,
        "changes": editing.changes,
        "changed_keys": {s.key for s in editing.changes.symptoms if not s.retired},
        "due": sorted(due, key=lambda s: s.review_due_on),
        "published_keys": {s.key for s in symptoms},
        "category_form": CategoryForm(taken=[c.key for c in editing.playbook.categories]),
        "upload_form": upload_form or PlaybookUploadForm(),
        "errors": errors,
        "revisions": PlaybookRevision.objects.history()[:5],
        "evidence": editor_evidence() if whole_page(request) else {},
        "csrf_field": csrf_field(request),
    }
    return render_htmx(request, "content/editor.html", "outline", context, status=status)


EVIDENCE_SHOWN = 10
NOT_FOUND_DAYS = 30


def editor_evidence():
    """The cases' flags on the content and the recent searches that found nothing, for the
    editor's front page: four queries."""
    from diagnostics.review.tallies import CheckTotal, SymptomTotal

    symptoms = insights.report(SymptomTotal.objects.all(), CheckTotal.objects.none())
    most_cases = [s.symptom_id for s in symptoms["symptoms"][: insights.TOP]]
    flags = evidence.symptom_flags(symptoms["symptoms"]) + evidence.check_flags(most_cases)
    since = timezone.localdate() - timedelta(days=NOT_FOUND_DAYS)
    return {
        "flags": flags[:EVIDENCE_SHOWN],
        "more_flags": max(0, len(flags) - EVIDENCE_SHOWN),
        "not_found": search.not_found(SearchCount.objects.filter(day__gte=since), limit=10),
        "not_found_days": NOT_FOUND_DAYS,
    }


@editor_page
@post_only(to_editor)
def upload(request):
    """A YAML file becomes the draft (replacing it), then the "what will change" page."""
    form = PlaybookUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render_editor(request, Editing.read(), upload_form=form, status=400)
    name, data = form.read()
    try:
        playbook = read_playbook(data, name=name)
        resolve_owners(playbook, name)
    except PlaybookError as exc:
        return render_editor(
            request, Editing.read(), upload_form=form, errors=exc.lines(), status=400
        )
    with transaction.atomic():
        editing = Editing.lock()
        editing.playbook = playbook
        editing.save(request.user, "upload", f"uploaded {name}")
    if not editing.draft.active:
        messages.info(request, f"{name} is the same as the published playbook: nothing to publish.")
        return redirect(to_editor())
    messages.success(request, f"{name} is now the draft. Check what it changes, then publish it.")
    return redirect("diagnostics:publish")


# -- Categories -------------------------------------------------------------------------------


@editor_page
def add_category(request):
    return edit_category(request, None)


@editor_page
@keeps_what_was_typed
def edit_category(request, key):
    with transaction.atomic():
        editing = Editing.for_request(request)
        category = editing.category(key) if key else None
        taken = [c.key for c in editing.playbook.categories]
        form = CategoryForm(
            request.POST or None,
            item=category,
            taken=taken,
            last_change=editing.last_change(f"category:{key}"),
        )
        if request.method == "POST" and form.is_valid():
            category = form.apply(editing.playbook)
            editing.save(request.user, f"category:{category.key}", "changed this category")
            return redirect(f"{to_editor()}#category-{category.key}")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "item": category, "kind": "category"}
    return render(request, "content/editor_form.html", context, status=status)


@editor_page
@post_only(to_editor)
@keeps_what_was_typed
def move_category(request, key):
    with transaction.atomic():
        editing = Editing.lock()
        move(editing.playbook.categories, editing.category(key), direction(request))
        editing.save(request.user, f"category:{key}", "moved this category")
    if request.htmx:
        return render_editor(request, editing)
    return redirect(f"{to_editor()}#category-{key}")


@editor_page
@post_only(to_editor)
@keeps_what_was_typed
def retire_category(request, key):
    with transaction.atomic():
        editing = Editing.lock()
        category = editing.category(key)
        if category.symptoms:
            messages.error(
                request,
                f"“{category.title}” still has symptoms: move or retire them first.",
            )
            return redirect(f"{to_editor()}#category-{key}")
        editing.playbook.categories.remove(category)
        editing.save(request.user, f"category:{key}", "retired this category")
    messages.success(request, f"Retired the category “{category.title}” in the draft.")
    return redirect(to_editor())


# -- Symptoms ---------------------------------------------------------------------------------


@editor_page
def add_symptom(request):
    with transaction.atomic():
        editing = Editing.for_request(request)
        if not editing.playbook.categories:
            messages.error(request, "Add a category first: every symptom belongs to one.")
            return redirect(to_editor())
        taken = [s.key for _, s in editing.playbook.symptoms()]
        initial = {"category": request.GET.get("category", ""), "visibility": "public"}
        form = SymptomForm(
            request.POST or None, playbook=editing.playbook, taken=taken, initial=initial
        )
        previewing = "preview" in request.POST
        if request.method == "POST" and not previewing and form.is_valid():
            symptom = form.apply()
            editing.save(request.user, f"symptom:{symptom.key}", "added this symptom")
            messages.success(request, f"Added “{symptom.title}” to the draft. Now add its checks.")
            return redirect(to_symptom(symptom.key))
    status = 400 if request.method == "POST" and not previewing else 200
    context = {"form": form, "kind": "symptom", "preview": previewed(request, "summary")}
    return render(request, "content/editor_form.html", context, status=status)


def previewed(request, field):
    """The sanitised HTML of `field` when its Preview button was pressed (no JavaScript)."""
    if request.POST.get("preview") != field:
        return None
    text = request.POST.get(field, "").strip()
    return "" if text_problem(text, TEXT_MAX_LENGTH, required=False) else render_markdown(text)


@editor_page
@keeps_what_was_typed
def edit_symptom(request, key):
    with transaction.atomic():
        editing = Editing.for_request(request)
        _, symptom = editing.symptom(key)
        taken = [s.key for _, s in editing.playbook.symptoms()]
        form = SymptomForm(
            request.POST or None,
            playbook=editing.playbook,
            item=symptom,
            taken=taken,
            published_keys=published_keys(),
            last_change=editing.last_change(f"symptom:{key}"),
        )
        previewing = "preview" in request.POST
        if request.method == "POST" and not previewing and form.is_valid():
            symptom = form.apply()
            editing.save(request.user, f"symptom:{symptom.key}", "changed this symptom")
            messages.success(request, f"Saved “{symptom.title}” in the draft.")
            return redirect(to_symptom(symptom.key))
    status = 400 if request.method == "POST" and not previewing else 200
    return render_symptom(request, editing, key, form=form, status=status)


def flow_of(editing, symptom):
    """The titles a symptom's rules name, and its flow diagram, for its editor page."""
    titles = {("check", c.key): c.title for c in symptom.checks}
    titles |= {("symptom", s.key): s.title for _, s in editing.playbook.symptoms()}
    symptom_titles = {key: title for (kind, key), title in titles.items() if kind == "symptom"}
    return {
        "titles": titles,
        "flow": diagram(symptom.checks, symptom_titles),
        "flow_problems": flow_problems(symptom.checks),
    }


def render_symptom(request, editing, key, *, form=None, check_form=None, status=200):
    category, symptom = editing.symptom(key)
    live = (
        Symptom.objects.filter(key=key, published=True)
        .select_related("reviewed_by", "owner")
        .first()
    )
    if form is None:
        form = SymptomForm(
            playbook=editing.playbook,
            item=symptom,
            taken=[s.key for _, s in editing.playbook.symptoms()],
        )
    if check_form is None:
        check_form = CheckForm(
            taken=[c.key for c in symptom.checks],
            prefix="new",
            symptom=symptom,
            playbook=editing.playbook,
        )
    context = {
        "editing": editing,
        "draft": editing.draft,
        "category": category,
        "symptom": symptom,
        "live": live,
        "form": form,
        "preview": previewed(request, "summary"),
        "new_preview": previewed(request, "new-help"),
        "check_form": check_form,
        "flags": evidence.for_symptom(live) if live and whole_page(request) else [],
        **flow_of(editing, symptom),
    }
    return render_htmx(request, "content/editor_symptom.html", "checks", context, status=status)


@editor_page
@post_only(to_editor)
@keeps_what_was_typed
def move_symptom(request, key):
    with transaction.atomic():
        editing = Editing.lock()
        category, symptom = editing.symptom(key)
        move(category.symptoms, symptom, direction(request))
        editing.save(request.user, f"symptom:{key}", "moved this symptom")
    if request.htmx:
        return render_editor(request, editing)
    return redirect(f"{to_editor()}#symptom-{key}")


@editor_page
@keeps_what_was_typed
def retire_symptom(request, key):
    with transaction.atomic():
        editing = Editing.for_request(request)
        _, symptom = editing.symptom(key)
        form = RetireSymptomForm(request.POST or None, playbook=editing.playbook, symptom=symptom)
        if request.method == "POST" and form.is_valid():
            editing.playbook.retire_symptom(key, form.cleaned_data["replaced_by"])
            editing.save(request.user, f"symptom:{key}", "retired this symptom")
            messages.success(request, f"Retired “{symptom.title}” in the draft.")
            return redirect(to_editor())
    context = {"form": form, "symptom": symptom, "published": key in published_keys()}
    return render(request, "content/editor_retire.html", context)


@editor_page
@post_only(to_symptom)
def mark_reviewed(request, key):
    symptom = Symptom.objects.filter(key=key, published=True).first()
    if symptom is None:
        raise Http404("Only a published symptom can be marked reviewed.")
    symptom.mark_reviewed(request.user)
    messages.success(request, f"Marked “{symptom.title}” reviewed today.")
    return redirect((request.POST.get("next") == "editor" and to_editor()) or to_symptom(key))


# -- Checks -----------------------------------------------------------------------------------


@editor_page
@post_only(to_symptom)
@keeps_what_was_typed
def add_check(request, key):
    with transaction.atomic():
        editing = Editing.lock()
        _, symptom = editing.symptom(key)
        form = CheckForm(
            request.POST,
            taken=[c.key for c in symptom.checks],
            prefix="new",
            symptom=symptom,
            playbook=editing.playbook,
        )
        if "preview" in request.POST:
            return render_symptom(request, editing, key, check_form=form)
        if form.is_valid():
            check = form.apply(symptom)
            editing.save(request.user, f"check:{key}/{check.key}", "added this check")
            if request.htmx:
                return render_symptom(request, editing, key)
            return redirect(f"{to_symptom(key)}#check-{check.key}")
    return render_symptom(request, editing, key, check_form=form, status=400)


@editor_page
@keeps_what_was_typed
def edit_check(request, key, check_key):
    with transaction.atomic():
        editing = Editing.for_request(request)
        _, symptom = editing.symptom(key)
        check = editing.check(symptom, check_key)
        form = CheckForm(
            request.POST or None,
            item=check,
            taken=[c.key for c in symptom.checks],
            last_change=editing.last_change(f"check:{key}/{check_key}"),
            symptom=symptom,
            playbook=editing.playbook,
            auto_id="check_%s",  # unique beside the symptom's own form when edited in place
        )
        previewing = "preview" in request.POST
        if request.method == "POST" and not previewing and form.is_valid():
            check = form.apply(symptom)
            editing.save(request.user, f"check:{key}/{check.key}", "changed this check")
            if request.htmx:
                context = {"symptom": symptom, "check": check, "just_saved": True}
                context |= flow_of(editing, symptom)
                # The row, and the flow it may have changed (swapped out of band).
                return render(request, "content/check_saved.html", context)
            return redirect(f"{to_symptom(key)}#check-{check.key}")
    status = 400 if request.method == "POST" and not previewing else 200
    if request.htmx:  # the form replaced the row: focus its first field with a problem
        first = next((n for n in form.errors if n in form.fields and n != "fingerprint"), "title")
        form.fields[first].widget.attrs["autofocus"] = True
    context = {
        "form": form,
        "symptom": symptom,
        "check": check,
        "kind": "check",
        "preview": previewed(request, "help"),
        "in_place": bool(request.htmx),
    }
    return render_htmx(request, "content/editor_form.html", "form", context, status=status)


@editor_page
@post_only(to_symptom)
@keeps_what_was_typed
def move_check(request, key, check_key):
    with transaction.atomic():
        editing = Editing.lock()
        _, symptom = editing.symptom(key)
        move(symptom.checks, editing.check(symptom, check_key), direction(request))
        editing.save(request.user, f"check:{key}/{check_key}", "moved this check")
    if request.htmx:
        return render_symptom(request, editing, key)
    return redirect(f"{to_symptom(key)}#check-{check_key}")


@editor_page
@post_only(to_symptom)
@keeps_what_was_typed
def retire_check(request, key, check_key):
    with transaction.atomic():
        editing = Editing.lock()
        _, symptom = editing.symptom(key)
        check = editing.check(symptom, check_key)
        if len(symptom.checks) == 1:
            messages.error(
                request,
                "A symptom must list at least one check: add another before retiring this one.",
            )
            return redirect(f"{to_symptom(key)}#check-{check_key}")
        if leading := [c for c in symptom.checks if {"goto": check_key} in c.rules.values()]:
            messages.error(
                request,
                f"The check “{leading[0].title}” goes to this one after an answer: change "
                "that step before retiring this check.",
            )
            return redirect(to_symptom(key))  # the top of the page, where the message is
        symptom.checks.remove(check)
        editing.save(request.user, f"check:{key}/{check_key}", "retired this check")
    messages.success(request, f"Retired the check “{check.title}” in the draft.")
    return redirect(to_symptom(key))


@editor_page
@post_only(to_editor)
def markdown_preview(request):
    """The sanitised HTML of some Markdown, for the "Preview" buttons (htmx)."""
    field = next((name for name in PREVIEWED if name in request.POST), "text")
    text = request.POST.get(field, "").strip()
    problem = text_problem(text, TEXT_MAX_LENGTH, required=False)
    context = {"html": "" if problem else render_markdown(text), "problem": problem}
    return render(request, "content/markdown_preview.html", context)


PREVIEWED = ("summary", "help", "new-help")


@editor_page
@keeps_what_was_typed
def preview_symptom(request, key):
    """The symptom page as the draft would show it."""
    editing = Editing.read()
    category, symptom = editing.symptom(key)
    context = {"category": category, "symptom": symptom, "draft": editing.draft}
    return render(request, "content/draft_symptom.html", context)


# -- Publishing -------------------------------------------------------------------------------


@editor_page
def publish(request):
    editing = Editing.read()
    seen = {
        "version": editing.draft.version,
        "revision": getattr(editing.published_revision, "number", 0),
    }
    form = PublishForm(request.POST or None, initial=seen)
    problems = []
    if editing.draft.active:
        problems = draft_problems(editing.playbook)
    if request.method == "POST" and form.is_valid() and not problems:
        with transaction.atomic():
            draft = PlaybookDraft.lock()
            latest = PlaybookRevision.objects.select_for_update().current()
            if draft.version != form.cleaned_data["version"] or (
                getattr(latest, "number", 0) != form.cleaned_data["revision"]
            ):
                messages.error(
                    request,
                    "The draft or the published playbook changed while you were looking at it. "
                    "Here is what publishing changes now: check it again, then publish.",
                )
                return redirect("diagnostics:publish")
            try:
                result = import_playbook(
                    draft.playbook(),
                    source=f"editor, {request.user.get_username()}",
                    user=request.user,
                    message=form.cleaned_data["message"],
                    name="draft",
                    strict_owners=False,
                )
            except PlaybookError as exc:
                problems = [Trouble(editing.playbook, p) for p in exc.problems]
            else:
                draft.clear()
                if result.revision:
                    messages.success(request, f"Published {result.summary}.")
                else:
                    messages.info(
                        request, "The draft matched the published content: nothing to publish."
                    )
                return redirect(to_editor())
    status = 400 if request.method == "POST" else 200
    context = {"editing": editing, "draft": editing.draft, "form": form, "problems": problems}
    return render(request, "content/publish.html", context, status=status)


def draft_problems(playbook):
    """What stops the draft from being published, by the reader's rules: the draft is read
    back exactly as an uploaded file would be."""
    try:
        read_playbook(dump_playbook(playbook).encode(), name="draft")
    except PlaybookError as exc:
        return [Trouble(playbook, problem) for problem in exc.problems]
    return []


class Trouble:
    """A problem found in the draft, said with the names editors know, not a YAML path."""

    PATH = re.compile(r"categories\[(\d+)\](?:\.symptoms\[(\d+)\])?(?:\.checks\[(\d+)\])?")

    def __init__(self, playbook, problem):
        self.message = problem.message
        self.where = problem.field
        found = self.PATH.match(problem.field)
        if not found:
            return
        category, symptom, check = (int(n) if n else None for n in found.groups())
        rest = problem.field[found.end() :].lstrip(".")
        try:
            item = playbook.categories[category]
            names = [f"category “{item.title}”"]
            if symptom is not None:
                item = item.symptoms[symptom]
                names = [f"symptom “{item.title}”"]
            if check is not None:
                names.append(f"check “{item.checks[check].title}”")
        except IndexError:
            return
        self.where = ", ".join(names) + (f", {rest}" if rest else "")
        self.where = self.where[0].upper() + self.where[1:]


@editor_page
@post_only(to_editor)
def discard(request):
    with transaction.atomic():
        draft = PlaybookDraft.lock()
        was_active = draft.active
        draft.clear()
    if was_active:
        messages.success(request, "Discarded the draft: the editor shows the published content.")
    return redirect(to_editor())
