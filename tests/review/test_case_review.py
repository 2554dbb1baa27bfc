"""Team leads on a case: comments and the review status."""

import pytest

from diagnostics.review.models import Comment
from diagnostics.staff.models import Role
from tests.factories import make_case, make_user

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


# -- Review status and comments ---------------------------------------------------------------


def review(client, case, status, version):
    return client.post(
        f"/cases/{case.session.token}/review/", {"status": status, "version": version}
    )


def test_a_lead_marks_a_case_reviewed(client, lead):
    case = make_case()
    response = review(client, case, "reviewed", 1)
    assert response["Location"] == f"/cases/{case.session.token}/#review"
    case.refresh_from_db()
    assert (case.review_status, case.reviewed_by, case.version) == ("reviewed", lead, 2)
    assert case.reviewed_at is not None


def test_two_leads_at_once_the_second_gets_a_conflict_and_nothing_is_overwritten(client, lead):
    case = make_case()
    other = make_user(Role.LEAD, first_name="Ola")
    # Both opened the case at version 1; the other lead saves first.
    from django.test import Client

    other_client = Client()
    other_client.force_login(other)
    assert review(other_client, case, "follow_up", 1).status_code == 302

    response = review(client, case, "reviewed", 1)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this review while you had the page open" in html
    assert 'badge review-follow_up">Needs follow-up' in html
    assert "by Ola" in html
    case.refresh_from_db()
    assert (case.review_status, case.reviewed_by, case.version) == ("follow_up", other, 2)
    assert 'name="version" value="2"' in html  # the next try starts from what is there now


def test_review_with_htmx_returns_the_review_block(client, lead):
    case = make_case()
    response = client.post(
        f"/cases/{case.session.token}/review/", {"status": "follow_up", "version": 1}, headers=HTMX
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="review"')
    assert "Needs follow-up" in html


def test_a_bad_review_status_is_refused(client, lead):
    case = make_case()
    response = review(client, case, "new", 1)
    assert response.status_code == 400
    assert "Choose reviewed or needs follow-up." in response.content.decode()
    case.refresh_from_db()
    assert case.version == 1


def test_a_lead_comments_and_sees_author_and_time(client, lead):
    case = make_case()
    url = f"/cases/{case.session.token}/comments/"
    response = client.post(url, {"body": "Check the proxy logs next time."}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="comments"')
    assert "<strong>Lee Lead</strong>" in html
    assert "Check the proxy logs next time." in html
    assert '<textarea name="body"' in html
    comment = Comment.objects.get()
    assert (comment.case, comment.author) == (case, lead)


def test_an_empty_comment_is_refused(client, lead):
    case = make_case()
    response = client.post(f"/cases/{case.session.token}/comments/", {"body": ""})
    assert response.status_code == 400
    assert "Write a comment first." in response.content.decode()
    assert not Comment.objects.exists()


def test_comments_from_two_leads_at_once_are_both_kept(client, lead):
    case = make_case()
    from django.test import Client

    other = Client()
    other.force_login(make_user(Role.LEAD))
    for who, text in ((client, "first"), (other, "second")):
        who.post(f"/cases/{case.session.token}/comments/", {"body": text})
    assert list(case.comments.values_list("body", flat=True)) == ["first", "second"]


def test_customers_and_agents_see_no_review_and_cannot_post_one(client):
    case = make_case()
    Comment.objects.create(case=case, body="internal remark")
    html = client.get(f"/cases/{case.session.token}/").content.decode()
    assert "internal remark" not in html
    assert 'id="review"' not in html
    client.force_login(make_user(Role.AGENT))
    assert "internal remark" not in client.get(f"/cases/{case.session.token}/").content.decode()
    assert review(client, case, "reviewed", 1).status_code == 403
    assert client.post(f"/cases/{case.session.token}/comments/", {"body": "x"}).status_code == 403


def test_comments_render_markdown_safely(client, lead):
    case = make_case()
    body = (
        "Checked **twice**.\n\n- logs\n- [ticket](https://example.com)\n\n<script>alert(1)</script>"
    )
    client.post(f"/cases/{case.session.token}/comments/", {"body": body})
    html = client.get(f"/cases/{case.session.token}/").content.decode()
    assert "<strong>twice</strong>" in html
    assert '<a href="https://example.com" rel="noopener noreferrer nofollow">ticket</a>' in html
    assert "<script>alert(1)</script>" not in html


def test_a_comment_posted_from_a_case_opened_from_the_list_keeps_the_way_back(client, lead):
    case = make_case()
    response = client.post(
        f"/cases/{case.session.token}/comments/?from=outcome%3Dnot_resolved", {"body": "Seen."}
    )
    assert (
        response["Location"] == f"/cases/{case.session.token}/?from=outcome%3Dnot_resolved#comments"
    )
