"""Public pages are one shared document for every visitor not signed in: the same bytes,
cached per published revision, validated with ETag and Last-Modified, and allowed into a
shared cache for a short time. Staff get their own pages."""

import pytest
from django.core.cache import caches
from django.test import Client

from diagnostics.content.models import Symptom
from diagnostics.content.playbook import import_playbook, read_playbook
from tests.factories import PLAYBOOK

pytestmark = pytest.mark.django_db
PAGES = ["/", "/?q=webhooks", "/symptoms/webhooks-not-firing/"]


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.SHARED_PAGE_CACHE = "default"
    caches["default"].clear()


@pytest.fixture
def published(db):
    import_playbook(read_playbook(PLAYBOOK.encode()), source="test")


@pytest.mark.parametrize("url", PAGES)
def test_every_visitor_gets_the_same_bytes(published, url):
    returning = Client()
    returning.post("/symptoms/webhooks-not-firing/start/")  # has a session now
    first, second = Client().get(url), returning.get(url)
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert b"csrfmiddlewaretoken" not in first.content
    assert b"X-CSRFToken" not in first.content
    assert "csrftoken" not in first.cookies


@pytest.mark.parametrize("url", PAGES)
def test_a_page_is_validated_by_the_published_revision(client, published, url):
    response = client.get(url)
    assert response["Cache-Control"] == "public, max-age=0, s-maxage=60"
    assert response["Last-Modified"]
    etag = response["ETag"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""


def test_a_cached_page_costs_one_query(client, published, django_assert_num_queries):
    client.get("/symptoms/webhooks-not-firing/")
    with django_assert_num_queries(1):  # the published state: its key
        client.get("/symptoms/webhooks-not-firing/")


def test_a_publish_is_served_at_once(client, published):
    before = client.get("/symptoms/webhooks-not-firing/")
    import_playbook(
        read_playbook(PLAYBOOK.replace("Trigger matching event.", "Send a test event.").encode()),
        source="test",
    )
    after = client.get("/symptoms/webhooks-not-firing/", headers={"If-None-Match": before["ETag"]})
    assert after.status_code == 200
    assert b"Send a test event." in after.content
    assert after["ETag"] != before["ETag"]


def test_marking_a_symptom_reviewed_is_served_at_once(client, published):
    from django.utils import timezone

    before = client.get("/symptoms/webhooks-not-firing/").content
    Symptom.objects.filter(key="webhooks-not-firing").update(reviewed_at=timezone.now())
    after = client.get("/symptoms/webhooks-not-firing/").content
    assert b"Last reviewed by support" in after
    assert before != after


def test_signed_in_staff_get_their_own_page_never_shared(client, published, agent):
    Client().get("/symptoms/webhooks-not-firing/")  # cached for visitors
    response = client.get("/symptoms/webhooks-not-firing/")
    assert b"Ticket reference" in response.content
    assert response["Cache-Control"] == "private, no-cache"
    assert "ETag" not in response


def test_the_search_fragment_and_the_whole_page_are_kept_apart(client, published):
    whole = client.get("/?q=webhooks").content
    fragment = client.get("/?q=webhooks", headers={"HX-Request": "true"}).content
    assert whole != fragment
    assert b"<html" not in fragment
    assert client.get("/?q=webhooks").content == whole


def test_a_cached_page_is_sent_compressed_to_browsers_that_accept_it(client, published):
    import gzip

    plain = client.get("/").content
    compressed = client.get("/", headers={"Accept-Encoding": "gzip, br"})
    assert compressed["Content-Encoding"] == "gzip"
    assert gzip.decompress(compressed.content) == plain
    assert "Accept-Encoding" in compressed["Vary"]
    assert client.get("/").content == plain  # and plain to those that do not


def test_a_message_waiting_for_one_visitor_is_never_cached_for_everyone(client, published, agent):
    # A staff message still in its cookie when they sign out lands on the index they go to.
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest, HttpResponse

    client.logout()
    storage, carrier = CookieStorage(HttpRequest()), HttpResponse()
    storage._store([Message(constants.SUCCESS, "Published revision 9 (staff only)")], carrier)
    client.cookies["messages"] = carrier.cookies["messages"].value
    mine = client.get("/")
    assert b"Published revision 9" in mine.content
    assert mine["Cache-Control"] == "private, no-cache"
    assert b"Published revision 9" not in Client().get("/").content


def test_the_editor_reads_the_kept_playbook_and_follows_a_publish_at_once(
    client, published, editor, django_assert_max_num_queries
):
    client.get("/playbook/")
    with django_assert_max_num_queries(17):  # the playbook is kept: its stamp, not its rows
        first = client.get("/playbook/").content.decode()
    assert "Webhooks not firing" in first
    renamed = PLAYBOOK.replace("title: Webhooks not firing", "title: Webhooks never arrive")
    import_playbook(read_playbook(renamed.encode()), source="test")
    after = client.get("/playbook/").content.decode()
    assert "Webhooks never arrive" in after
    assert "Webhooks not firing" not in after
