"""The playbook editor: one shared draft, previewed, published as a revision; conflicts between
two editors; the same rules and messages as the YAML import."""

import html
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.content.forms import fingerprint, suggested_key
from diagnostics.content.models import PlaybookDraft, PlaybookRevision, Symptom
from diagnostics.content.playbook import (
    PlaybookError,
    export_playbook,
    import_playbook,
    read_playbook,
)
from diagnostics.staff.models import Role
from tests.factories import PLAYBOOK, make_user, save_case, start_session

pytestmark = pytest.mark.django_db

SYMPTOM = "/playbook/symptoms/webhooks-not-firing/"
SLUG_MESSAGE = "must be a slug: lowercase letters, digits and single hyphens"
CONTROL_MESSAGE = "contains the control character U+001B, which a playbook does not allow"
CHECK = SYMPTOM + "checks/webhook-url/"


@pytest.fixture
def published(db):
    """The test playbook, published as revision 1."""
    import_playbook(read_playbook(PLAYBOOK.encode()), source="test")


def draft():
    return PlaybookDraft.get().playbook()


def check_titles(key="webhooks-not-firing"):
    _, symptom = draft().symptom(key)
    return [c.title for c in symptom.checks]


def edit_check(client, url=CHECK, fingerprint_from=None, headers=None, **values):
    """Post the check form as someone who loaded it now (or when `fingerprint_from` was)."""
    form = (fingerprint_from or client.get(url)).context["form"]
    data = {**{k: form.initial.get(k, "") for k in ("title", "key", "help", "fingerprint")}}
    return client.post(url, {**data, **values}, headers=headers)


def publish(client, message="A change"):
    """Publish as someone who looked at the publish page just now: with the hidden fields
    the page itself carries."""
    seen = hidden_fields(client.get("/playbook/publish/"))
    return client.post("/playbook/publish/", {**seen, "message": message})


def hidden_fields(response):
    html = response.content.decode()
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def upload(client, text, name="book.yaml"):
    file = SimpleUploadedFile(name, text.encode(), content_type="application/yaml")
    return client.post("/playbook/upload/", {"file": file}, follow=True)


# -- Editing in the draft ---------------------------------------------------------------------


def test_an_edit_waits_in_the_draft_until_it_is_published(client, editor, published):
    response = edit_check(client, title="Check the webhook URL")
    assert response.status_code == 302
    assert check_titles()[0] == "Check the webhook URL"
    public = client.get("/symptoms/webhooks-not-firing/").content.decode()
    assert "Verify webhook URL and event subscriptions." in public
    assert "Check the webhook URL" not in public

    assert publish(client, "Clearer first check").status_code == 302
    public = client.get("/symptoms/webhooks-not-firing/").content.decode()
    assert "Check the webhook URL" in public
    revision = PlaybookRevision.objects.current()
    assert (revision.number, revision.message, revision.imported_by) == (
        2,
        "Clearer first check",
        editor,
    )
    assert (revision.checks_changed, revision.symptoms_added) == (1, 0)
    assert not PlaybookDraft.get().active


def test_a_new_category_symptom_and_checks_get_keys_from_their_titles(client, editor, published):
    client.post("/playbook/add-category/", {"title": "Billing questions", "key": ""})
    response = client.post(
        "/playbook/add-symptom/",
        {"title": "Invoice is wrong", "key": "", "category": "billing-questions",
         "visibility": "public", "summary": "", "owner": "", "review_every_days": ""},
    )  # fmt: skip
    assert response["Location"] == "/playbook/symptoms/invoice-is-wrong/"
    for title in ["Check the plan", "Check the tax rate", "Check the plan"]:
        client.post("/playbook/symptoms/invoice-is-wrong/checks/", {"new-title": title})
    category, symptom = draft().symptom("invoice-is-wrong")
    assert category.key == "billing-questions"
    assert [c.key for c in symptom.checks] == [
        "check-the-plan",
        "check-the-tax-rate",
        "check-the-plan-2",
    ]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"title": " "}, "title", "must not be empty"),
        ({"title": "x" * 201}, "title", "is longer than 200 characters"),
        ({"key": "Webhook_URL"}, "key", SLUG_MESSAGE),
        ({"key": "trigger-event"}, "key", "'trigger-event' is already used in this symptom"),
        ({"help": "bad \x1b escape"}, "help", CONTROL_MESSAGE),
    ],
)  # fmt: skip
def test_a_check_is_refused_with_the_import_s_message(
    client, editor, published, values, field, message
):
    response = edit_check(client, **values)
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert not PlaybookDraft.get().active  # nothing changed, not even a draft started


def test_the_reader_gives_the_same_message_for_the_same_mistake():
    broken = PLAYBOOK.replace("key: trigger-event", "key: Webhook_URL")
    with pytest.raises(PlaybookError) as caught:
        read_playbook(broken.encode(), name="book.yaml")
    assert f"checks[1].key: {SLUG_MESSAGE}" in str(caught.value)


def test_checks_move_up_and_down_with_plain_forms_and_with_htmx(client, editor, published):
    client.post(SYMPTOM + "checks/trigger-event/move/", {"direction": "up"})
    assert check_titles() == [
        "Trigger matching event.",
        "Verify webhook URL and event subscriptions.",
    ]
    response = client.post(
        SYMPTOM + "checks/trigger-event/move/",
        {"direction": "down"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section aria-labelledby="checks-heading" id="checks">')
    assert html.index("Verify webhook URL") < html.index("Trigger matching event.")
    assert check_titles()[0] == "Verify webhook URL and event subscriptions."


def test_symptoms_and_categories_move_in_the_draft(client, editor, published):
    client.post("/playbook/categories/permissions/move/", {"direction": "up"})
    assert [c.key for c in draft().categories] == ["permissions", "integrations"]
    response = client.get("/playbook/publish/")
    changes = response.context["editing"].changes
    assert [(c.key, c.kind) for c in changes.categories] == [("permissions", "moved")]


def test_a_check_can_be_edited_in_place_with_htmx(client, editor, published):
    form_html = client.get(CHECK, headers={"HX-Request": "true"}).content.decode()
    assert form_html.lstrip().startswith('<li id="check-webhook-url" class="editing">')
    response = client.post(
        CHECK,
        {"title": "Open the webhook settings", "key": "webhook-url", "help": "",
         "fingerprint": client.get(CHECK).context["form"].initial["fingerprint"]},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    html = response.content.decode()
    assert html.lstrip().startswith('<li id="check-webhook-url">')
    assert "Open the webhook settings" in html
    assert "autofocus" in html  # focus comes back to the row's Edit link


def test_the_last_check_cannot_be_retired(client, editor, published):
    url = "/playbook/symptoms/agent-cannot-access-page/checks/role-mapping/retire/"
    response = client.post(url, follow=True)
    assert "A symptom must list at least one check" in response.content.decode()
    assert not PlaybookDraft.get().active


def test_markdown_preview_is_rendered_on_the_server_and_sanitised(client, editor, published):
    text = "Open **Settings**. <script>alert(1)</script> [x](javascript:alert(1))"
    html = client.post("/playbook/preview/", {"help": text}).content.decode()
    assert "<strong>Settings</strong>" in html
    assert "<script" not in html
    assert "javascript:" not in html
    # Without JavaScript, the form's own Preview button shows it and saves nothing.
    form = client.get(CHECK).context["form"]
    response = client.post(CHECK, {**form.initial, "help": text, "preview": "help"})
    assert "<strong>Settings</strong>" in response.content.decode()
    assert not PlaybookDraft.get().active


def test_editors_see_a_symptom_page_as_the_draft_would_show_it(client, editor, published):
    edit_check(client, title="Draft-only title")
    html = client.get(SYMPTOM + "draft/").content.decode()
    assert "Draft preview" in html
    assert "Draft-only title" in html
    assert "Draft-only title" not in client.get("/symptoms/webhooks-not-firing/").content.decode()


def test_discarding_the_draft_returns_to_the_published_content(client, editor, published):
    edit_check(client, title="Thrown away")
    client.post("/playbook/discard/")
    assert not PlaybookDraft.get().active
    assert check_titles()[0] == "Verify webhook URL and event subscriptions."


# -- Two editors at once ----------------------------------------------------------------------


def test_a_second_editor_changing_the_same_check_gets_a_conflict_and_overwrites_nothing(
    client, editor, published
):
    mine = client.get(CHECK)  # I open the form...
    other = make_user(Role.EDITOR, first_name="Olive", last_name="Other")
    client.force_login(other)
    edit_check(client, title="Olive's title")  # ...Olive saves first
    client.force_login(editor)
    response = edit_check(client, fingerprint_from=mine, title="My title")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Olive Other saved a change to this while you were editing it" in html
    assert "Olive&#x27;s title" in html  # their version, shown
    assert 'value="My title"' in html  # mine, kept in the form
    assert check_titles()[0] == "Olive's title"
    # Saving again is a deliberate choice, and then it is mine.
    form = response.context["form"]
    client.post(CHECK, {**form.data.dict(), "title": "My title"})
    assert check_titles()[0] == "My title"


def test_two_editors_changing_different_checks_both_keep_their_change(client, editor, published):
    first = client.get(CHECK)
    second = client.get(SYMPTOM + "checks/trigger-event/")
    edit_check(client, fingerprint_from=first, title="First")
    edit_check(
        client, url=SYMPTOM + "checks/trigger-event/", fingerprint_from=second, title="Second"
    )
    assert check_titles() == ["First", "Second"]


def test_publishing_a_draft_that_changed_since_it_was_reviewed_asks_again(
    client, editor, published
):
    edit_check(client, title="Seen")
    seen = hidden_fields(client.get("/playbook/publish/"))
    edit_check(client, title="Not seen")
    response = client.post("/playbook/publish/", {**seen, "message": "Go"}, follow=True)
    assert "changed while you were looking at it" in response.content.decode()
    assert PlaybookRevision.objects.count() == 1


def test_publishing_needs_a_what_changed_message(client, editor, published):
    edit_check(client, title="New")
    response = publish(client, message="  ")
    assert response.status_code == 400
    assert response.context["form"].errors["message"] == ["must not be empty"]
    assert PlaybookRevision.objects.count() == 1


def test_a_symptom_without_checks_cannot_be_published_and_says_why(client, editor, published):
    client.post(
        "/playbook/add-symptom/",
        {"title": "Empty one", "category": "integrations", "visibility": "public"},
    )
    response = publish(client)
    assert response.status_code == 400
    assert "Symptom “Empty one”, checks: must list at least one check" in response.content.decode()
    assert PlaybookRevision.objects.count() == 1


# -- What publishing changes ------------------------------------------------------------------


def test_the_publish_page_shows_old_and_new_text_side_by_side(client, editor, published):
    edit_check(client, title="Check the webhook URL")
    client.post(SYMPTOM + "checks/trigger-event/move/", {"direction": "up"})
    html = client.get("/playbook/publish/").content.decode()
    row = re.search(r"<th scope=\"row\">Title</th>(.*?)</tr>", html, re.S).group(1)
    assert row.index("Verify webhook URL and event subscriptions.") < row.index(
        "Check the webhook URL"
    )
    assert "moved, now check 1 of 2" in html


def test_an_upload_becomes_the_draft_and_lists_exactly_what_it_changes(client, editor, published):
    changed = (
        PLAYBOOK.replace("title: Trigger matching event.", "title: Send a test event.")
        .replace(  # a check added to the last symptom
            "            title: Confirm role and custom role mapping.\n",
            "            title: Confirm role and custom role mapping.\n"
            "          - key: sign-out-in\n            title: Sign out and in again.\n",
        )
        .replace("        summary: Nothing reaches the *receiver*.\n", "")
    )
    response = upload(client, changed)
    assert response.redirect_chain[-1][0] == "/playbook/publish/"
    changes = response.context["editing"].changes
    assert [(s.key, s.kind) for s in changes.symptoms] == [
        ("webhooks-not-firing", "changed"),
        ("agent-cannot-access-page", "checks"),
    ]
    webhooks, access = changes.symptoms
    assert [(f.label, f.old, f.new) for f in webhooks.fields] == [
        ("Summary", "Nothing reaches the *receiver*.", "")
    ]
    assert [(c.key, c.kind, [(f.old, f.new) for f in c.fields]) for c in webhooks.checks] == [
        ("trigger-event", "changed", [("Trigger matching event.", "Send a test event.")])
    ]
    assert [(c.key, c.kind) for c in access.checks] == [("sign-out-in", "added")]
    assert not changes.categories
    assert not changes.title
    # Still not published: the public page is unchanged until someone presses Publish.
    assert (
        "Trigger matching event." in client.get("/symptoms/webhooks-not-firing/").content.decode()
    )


def test_an_upload_with_errors_names_file_line_and_field_and_changes_nothing(
    client, editor, published
):
    edit_check(client, title="Kept")
    broken = PLAYBOOK.replace("key: trigger-event", "key: Trigger_Event")
    response = upload(client, broken, name="broken.yaml")
    assert response.status_code == 400
    assert (
        "broken.yaml:14: categories[0].symptoms[0].checks[1].key: "
        "must be a slug: lowercase letters, digits and single hyphens"
    ) in response.content.decode()
    assert check_titles()[0] == "Kept"


def test_an_upload_naming_an_owner_who_is_not_staff_is_refused_with_the_line(
    client, editor, published
):
    text = PLAYBOOK.replace(
        "        summary: Nothing reaches the *receiver*.\n",
        "        summary: Nothing reaches the *receiver*.\n        owner: nobody-here\n",
    )
    response = upload(client, text)
    assert (
        "book.yaml:10: categories[0].symptoms[0].owner: 'nobody-here' is not the username of a "
        "staff member"
    ) in html.unescape(response.content.decode())
    assert not PlaybookDraft.get().active


# -- Keys, retiring and the 410 page ----------------------------------------------------------


def symptom_form(client, url=SYMPTOM, **values):
    form = client.get(url).context["form"]
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.pop("confirm_key_change")
    return client.post(url, {**data, **values})


def test_changing_a_published_symptom_s_key_warns_then_its_old_link_points_to_the_new(
    client, editor, published
):
    response = symptom_form(client, key="webhooks-silent")
    assert response.status_code == 400
    assert "changing its key changes its public link from /symptoms/webhooks-not-firing/" in (
        response.content.decode()
    )
    assert draft().symptom("webhooks-silent") == (None, None)
    response = symptom_form(client, key="webhooks-silent", confirm_key_change="on")
    assert response["Location"] == "/playbook/symptoms/webhooks-silent/"
    publish(client, "Shorter key")
    assert client.get("/symptoms/webhooks-silent/").status_code == 200
    gone = client.get("/symptoms/webhooks-not-firing/")
    assert gone.status_code == 410
    assert 'href="/symptoms/webhooks-silent/"' in gone.content.decode()


def test_retiring_a_published_symptom_warns_and_its_page_then_answers_gone(
    client, editor, published
):
    url = SYMPTOM + "retire/"
    assert "Its link will stop working." in client.get(url).content.decode()
    client.post(url, {"replaced_by": "agent-cannot-access-page"})
    html = client.get("/playbook/publish/").content.decode()
    assert "Its link will answer “Gone” and point to “Agent cannot access expected page”." in html
    publish(client, "Retire webhooks")
    client.logout()
    gone = client.get("/symptoms/webhooks-not-firing/")
    assert gone.status_code == 410
    html = gone.content.decode()
    assert "“Webhooks not firing” is no longer in the playbook" in html
    assert 'href="/symptoms/agent-cannot-access-page/"' in html
    assert "Webhooks not firing" not in client.get("/").content.decode()


def test_a_retired_symptom_without_a_replacement_points_to_the_index(client, published):
    Symptom.objects.filter(key="webhooks-not-firing").update(published=False)
    response = client.get("/symptoms/webhooks-not-firing/")
    assert response.status_code == 410
    assert "the list of symptoms" in response.content.decode()
    assert client.get("/symptoms/never-was/").status_code == 404


# -- History ----------------------------------------------------------------------------------


def test_history_compares_and_restores_without_rewriting_anything(client, editor, published):
    session = start_session(Symptom.objects.get(key="webhooks-not-firing"))
    edit_check(client, title="Second title")
    publish(client, "Second")
    html = client.get("/playbook/history/compare/?old=1&new=2").content.decode()
    assert "Verify webhook URL and event subscriptions." in html
    assert "Second title" in html

    response = client.get("/playbook/history/1/restore/")
    assert "Second title" in response.content.decode()
    response = client.post("/playbook/history/1/restore/", {"message": "Back to the first"})
    assert response["Location"] == "/playbook/history/3/"
    first, second, third = PlaybookRevision.objects.order_by("number")
    assert third.content_hash == first.content_hash != second.content_hash
    assert third.document == first.document
    assert third.message == "Back to the first"
    assert "Verify webhook URL" in client.get("/symptoms/webhooks-not-firing/").content.decode()

    # The case saved on revision 1 still shows the titles it ran with, and names its revision.
    save_case(session)
    html = client.get(session.get_absolute_url()).content.decode()
    assert '<a href="/playbook/history/1/">revision 1</a>' in html
    history = client.get("/playbook/history/").content.decode()
    for text in ["Revision 3", "Back to the first", "Revision 2", "Second", "Eddie Editor"]:
        assert text in history


def test_any_revision_s_yaml_downloads_and_reads_back_as_that_revision(client, editor, published):
    response = client.get("/playbook/history/1/yaml/")
    assert response["Content-Disposition"] == 'attachment; filename="playbook-revision-1.yaml"'
    assert read_playbook(response.content) == read_playbook(PLAYBOOK.encode())


def test_the_export_is_the_published_content_even_with_a_draft(client, editor, published):
    before = export_playbook()
    edit_check(client, title="Only in the draft")
    response = client.get("/playbook/export/")
    assert response.content.decode() == before
    assert import_playbook(read_playbook(response.content), source="again").revision is None


# -- Freshness and visibility -----------------------------------------------------------------


def test_an_owner_and_review_interval_list_the_symptom_as_due_until_reviewed(
    client, editor, published
):
    symptom_form(client, owner=editor.username, review_every_days="30")
    publish(client, "Owner")
    Symptom.objects.filter(key="webhooks-not-firing").update(added_at="2020-01-01T00:00:00Z")
    html = client.get("/playbook/").content.decode()
    assert "Due for review" in html
    assert "owner Eddie Editor" in html
    client.post(SYMPTOM + "reviewed/")
    symptom = Symptom.objects.get(key="webhooks-not-firing")
    assert symptom.reviewed_by == editor
    assert "Due for review" not in client.get("/playbook/").content.decode()
    client.logout()
    assert "Last reviewed by support on" in client.get(symptom.get_absolute_url()).content.decode()


def test_a_staff_only_symptom_is_hidden_from_customers_but_agents_run_it(client, editor, published):
    symptom_form(client, visibility="staff")
    publish(client, "Staff only")
    client.logout()
    assert client.get("/symptoms/webhooks-not-firing/").status_code == 404
    assert client.post("/symptoms/webhooks-not-firing/start/").status_code == 404
    assert "Webhooks not firing" not in client.get("/").content.decode()
    client.force_login(make_user(Role.AGENT))
    assert "Webhooks not firing" in client.get("/").content.decode()
    response = client.post("/symptoms/webhooks-not-firing/start/", {"ticket": "ZD-1"})
    assert response.status_code == 302


# -- Query counts -----------------------------------------------------------------------------


def many_symptoms(n):
    symptoms = "".join(
        f"      - key: s-{i}\n        title: Symptom {i}\n        checks:\n"
        f"          - key: c\n            title: Check\n"
        for i in range(n)
    )
    text = (
        f"playbook: 1\ntitle: T\ncategories:\n  - key: a\n    title: A\n    symptoms:\n{symptoms}"
    )
    import_playbook(read_playbook(text.encode()), source="test")


# The most queries each may run: six for every staff page (session, user, second factor,
# security settings, permissions), the draft, then the published content in five when there
# is no draft (categories, symptoms, checks, retired links, the revision). The front page and
# a symptom's page add the cases' evidence: outcome sums, recent check runs, the flagged
# checks' names, and (front page) the searches that found nothing.
# The front page reads the playbook kept since the last publish: the stamp it is kept by
# (the tests' cache keeps nothing, so it builds it too: with a cache the stamp replaces four).
EDITOR_PAGES = {
    "/playbook/": 20,
    "/playbook/symptoms/s-1/": 20,
    "/playbook/symptoms/s-1/checks/c/": 14,
    "/playbook/publish/": 13,
    "/playbook/history/": 7,
    "/playbook/history/1/": 8,
    "/playbook/history/compare/?old=1&new=1": 9,
    "/playbook/symptoms/s-1/draft/": 12,
}


def editor_queries(client, symptoms, with_draft):
    """How many queries each editor page runs with `symptoms` symptoms."""
    many_symptoms(symptoms)
    if with_draft:
        edit_check(client, url="/playbook/symptoms/s-1/checks/c/", title="Changed")
    counts = {}
    for url in EDITOR_PAGES:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200, url
        counts[url] = len(queries)
    return counts


@pytest.mark.parametrize("with_draft", [False, True])
def test_editor_pages_run_the_same_queries_at_10_and_200_symptoms(client, editor, with_draft):
    few = editor_queries(client, 10, with_draft)
    PlaybookDraft.objects.all().delete()
    Symptom.objects.all().delete()
    many = editor_queries(client, 200, with_draft)
    assert few == many
    assert all(few[url] <= limit for url, limit in EDITOR_PAGES.items()), few


def test_fingerprints_ignore_checks_so_a_check_edit_never_conflicts_with_its_symptom(published):
    playbook = read_playbook(PLAYBOOK.encode())
    _, symptom = playbook.symptom("webhooks-not-firing")
    before = fingerprint(symptom)
    symptom.checks[0].title = "Changed"
    assert fingerprint(symptom) == before


def test_a_second_editor_changing_the_same_symptom_gets_a_conflict(client, editor, published):
    mine = client.get(SYMPTOM).context["form"]
    client.force_login(make_user(Role.EDITOR, first_name="Olive", last_name="Other"))
    symptom_form(client, title="Olive's symptom title")
    client.force_login(editor)
    data = {name: mine.initial.get(name) or "" for name in mine.fields}
    response = client.post(SYMPTOM, {**data, "title": "My symptom title"})
    assert response.status_code == 400
    assert "Olive Other saved a change to this" in response.content.decode()
    _, symptom = draft().symptom("webhooks-not-firing")
    assert symptom.title == "Olive's symptom title"


def test_a_category_is_checked_by_the_same_rules(client, editor, published):
    response = client.post("/playbook/add-category/", {"title": "", "key": ""})
    assert response.context["form"].errors["title"] == ["must not be empty"]
    response = client.post("/playbook/add-category/", {"title": "Again", "key": "permissions"})
    assert response.context["form"].errors["key"] == [
        "'permissions' is already used by another category"
    ]
    assert not PlaybookDraft.get().active


def test_a_category_with_symptoms_cannot_be_retired_until_it_is_empty(client, editor, published):
    response = client.post("/playbook/categories/permissions/retire/", follow=True)
    assert "still has symptoms: move or retire them first" in response.content.decode()
    client.post("/playbook/symptoms/agent-cannot-access-page/retire/", {"replaced_by": ""})
    client.post("/playbook/categories/permissions/retire/")
    assert [c.key for c in draft().categories] == ["integrations"]
    publish(client, "One category fewer")
    assert "permissions:" not in export_playbook()
    assert client.get("/symptoms/agent-cannot-access-page/").status_code == 410


def test_only_editors_and_admins_publish(client, published):
    client.force_login(make_user(Role.LEAD))
    assert client.post("/playbook/publish/", {"message": "x", "version": 0}).status_code == 403
    assert client.post("/playbook/discard/").status_code == 403
    assert PlaybookRevision.objects.count() == 1


# -- What a probe of the editor found ---------------------------------------------------------


def test_publishing_after_someone_restored_meanwhile_asks_again(client, editor, published):
    edit_check(client, title="Second title")
    publish(client, "Second")
    edit_check(client, title="Third title")
    seen = hidden_fields(client.get("/playbook/publish/"))
    client.post("/playbook/history/1/restore/", {"message": "Back to the first"})  # someone else
    response = client.post("/playbook/publish/", {**seen, "message": "Third"}, follow=True)
    assert "changed while you were looking at it" in response.content.decode()
    assert PlaybookRevision.objects.current().message == "Back to the first"


def test_a_symptom_moved_to_another_category_meanwhile_is_a_conflict(client, editor, published):
    mine = client.get(SYMPTOM).context["form"]
    symptom_form(client, category="permissions")  # someone moves it
    data = {name: mine.initial.get(name) or "" for name in mine.fields}
    response = client.post(SYMPTOM, {**data, "title": "My title"})
    assert response.status_code == 400
    category, symptom = draft().symptom("webhooks-not-firing")
    assert (category.key, symptom.title) == ("permissions", "Webhooks not firing")


def test_revisions_cannot_be_deleted_in_the_admin(admin_client, published):
    revision = PlaybookRevision.objects.get()
    url = f"/admin/diagnostics/playbookrevision/{revision.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert PlaybookRevision.objects.filter(pk=revision.pk).exists()


def test_a_symptom_whose_key_is_new_opens_its_editor(client, editor, published):
    response = client.post(
        "/playbook/add-symptom/",
        {"title": "New", "category": "integrations", "visibility": "public"},
    )
    assert response["Location"] == "/playbook/symptoms/new/"
    page = client.get("/playbook/symptoms/new/")
    assert page.status_code == 200
    assert page.context["symptom"].title == "New"


def test_saving_a_check_someone_retired_meanwhile_gives_back_what_was_typed(
    client, editor, published
):
    mine = client.get(CHECK)
    client.post(CHECK + "retire/")  # someone retires it
    response = edit_check(client, fingerprint_from=mine, title="My careful rewording")
    assert response.status_code == 409
    html = response.content.decode()
    assert "This check is no longer in the draft" in html
    assert "Eddie Editor retired this check while you had it open" in html
    assert "My careful rewording" in html
    in_place = edit_check(
        client, fingerprint_from=mine, title="Again", headers={"HX-Request": "true"}
    )
    assert in_place.content.decode().lstrip().startswith('<li class="editing"')


def test_an_owner_who_left_the_staff_blocks_no_publish_and_is_kept_until_changed(
    client, editor, published
):
    olive = make_user(Role.EDITOR, username="olive")
    symptom_form(client, owner="olive")
    publish(client, "Owner")
    olive.is_active = False
    olive.save()
    assert "olive (no longer staff)" in client.get(SYMPTOM).content.decode()
    edit_check(client, title="A later change")
    assert publish(client, "Later").status_code == 302
    assert Symptom.objects.get(key="webhooks-not-firing").owner is None
    assert "owner:" not in export_playbook()


def test_a_key_made_from_a_title_follows_the_rule_the_page_shows(client, editor, published):
    assert suggested_key("Foo_bar, baz! Ça va?", set()) == "foo-bar-baz-ca-va"
    client.post("/playbook/add-category/", {"title": "foo_bar baz", "key": ""})
    assert draft().category("foo-bar-baz") is not None


@pytest.mark.parametrize(
    ("title", "message"),
    [
        ("\u200b", "contains U+200B, an invisible or direction-changing character"),
        ("evil\u202etxt.exe", "contains U+202E, an invisible or direction-changing character"),
        ("two\r\nlines", "must be one line"),
    ],
)
def test_titles_refuse_invisible_reversing_and_multi_line_text(
    client, editor, published, title, message
):
    response = edit_check(client, title=title)
    assert response.status_code == 400
    assert response.context["form"].errors["title"][0].startswith(message)
    yaml_title = title.encode("unicode_escape").decode()
    text = PLAYBOOK.replace("title: Trigger matching event.", f'title: "{yaml_title}"')
    with pytest.raises(PlaybookError) as caught:
        read_playbook(text.encode(), name="book.yaml")
    assert f"checks[1].title: {message}" in str(caught.value)


def test_a_key_too_long_is_reported_once():
    text = PLAYBOOK.replace("key: trigger-event", "key: " + "k" * 101)
    with pytest.raises(PlaybookError) as caught:
        read_playbook(text.encode(), name="book.yaml")
    assert caught.value.lines() == [
        "book.yaml:14: categories[0].symptoms[0].checks[1].key: is longer than 100 characters"
    ]


def test_a_move_that_changes_nothing_starts_no_draft(client, editor, published):
    client.post(SYMPTOM + "checks/webhook-url/move/", {"direction": "up"})  # already first
    assert not PlaybookDraft.get().active
    response = upload(client, PLAYBOOK)  # the same as published
    assert "is the same as the published playbook: nothing to publish" in response.content.decode()
    assert not PlaybookDraft.get().active


def test_a_draft_changed_back_to_the_published_content_is_no_draft(client, editor, published):
    edit_check(client, title="Changed")
    edit_check(client, title="Verify webhook URL and event subscriptions.")
    assert not PlaybookDraft.get().active


def test_previews_say_when_text_is_too_long_and_render_fenced_code(client, editor, published):
    html = client.post("/playbook/preview/", {"help": "x" * 10_001}).content.decode()
    assert "is longer than 10000 characters" in html
    html = client.post("/playbook/preview/", {"help": "```\nline one\nline two\n```"})
    assert "<pre><code>line one\nline two\n</code></pre>" in html.content.decode()
    # The add-check form previews too, without saving.
    response = client.post(
        SYMPTOM + "checks/", {"new-title": "T", "new-help": "**bold**", "preview": "new-help"}
    )
    assert "<strong>bold</strong>" in response.content.decode()
    assert not PlaybookDraft.get().active


def test_restore_messages_follow_the_publish_rules(client, editor, published):
    edit_check(client, title="Second")
    publish(client, "Second")
    response = client.post("/playbook/history/1/restore/", {"message": "bad \x1b escape"})
    assert response.status_code == 400
    assert PlaybookRevision.objects.count() == 2


def test_a_failed_in_place_save_focuses_the_field_to_fix(client, editor, published):
    response = edit_check(client, title="", headers={"HX-Request": "true"})
    assert re.search(r'<input[^>]*name="title"[^>]*autofocus', response.content.decode())


def test_a_public_symptom_can_only_point_to_a_public_replacement(client, editor, published):
    client.post(
        "/playbook/symptoms/agent-cannot-access-page/",
        {**client.get("/playbook/symptoms/agent-cannot-access-page/").context["form"].initial,
         "visibility": "staff", "review_every_days": "", "owner": ""},
    )  # fmt: skip
    form = client.get(SYMPTOM + "retire/").context["form"]
    assert [key for key, _ in form.fields["replaced_by"].choices] == [""]


def test_an_upload_with_errors_shows_them_at_the_top(client, editor, published):
    broken = PLAYBOOK.replace("key: trigger-event", "key: Trigger_Event")
    html = upload(client, broken).content.decode()
    assert html.index('id="upload-errors"') < html.index('id="draft-heading"')


def test_an_owner_renamed_since_the_publish_shows_at_once_and_edits_without_a_conflict(
    client, editor, published, settings
):
    from django.core.cache import caches

    settings.SHARED_PAGE_CACHE = "default"  # the published playbook is kept between requests
    caches["default"].clear()
    olive = make_user(Role.EDITOR, username="olive", first_name="Olive", last_name="Owner")
    symptom_form(client, owner="olive")
    publish(client, "Owner")
    client.get("/playbook/")  # keeps the published playbook
    olive.username = "olive2"  # renamed in the admin: no publish
    olive.save()
    assert "Olive Owner" in client.get(SYMPTOM).content.decode()
    response = symptom_form(client, title="Webhooks are silent")
    assert response.status_code == 302, response.content.decode()
    assert draft().symptom("webhooks-not-firing")[1].title == "Webhooks are silent"
