"""The symptom index and the symptom page a customer is sent."""

import pytest
from django.db import models

from diagnostics.content.models import Check, Symptom
from tests.factories import make_category, make_symptom

pytestmark = pytest.mark.django_db


def test_the_index_lists_published_symptoms_under_their_category(client):
    category = make_category(title="Integration issues")
    make_symptom(category=category, title="Webhooks not firing", key="webhooks-not-firing")
    make_symptom(category=category, title="Retired one", published=False)
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Integration issues</h2>" in html
    assert '<a href="/symptoms/webhooks-not-firing/">Webhooks not firing</a>' in html
    assert "Retired one" not in html


def test_the_index_counts_only_published_checks(client):
    symptom = make_symptom(checks=3, title="Webhooks not firing")
    Check.objects.filter(symptom=symptom, key="check-3").update(published=False)
    assert "2 checks" in client.get("/").content.decode()


def test_the_index_hides_a_category_with_nothing_published(client):
    make_symptom(category=make_category(title="Empty category"), published=False)
    assert "Empty category" not in client.get("/").content.decode()


def test_the_symptom_page_shows_title_summary_and_checks_in_order(client):
    symptom = make_symptom(checks=0, key="webhooks-not-firing", summary="Nothing *arrives*.")
    for position, title in [(2, "Trigger matching event."), (1, "Verify webhook URL.")]:
        Check.objects.create(symptom=symptom, key=f"c{position}", title=title, position=position)
    response = client.get("/symptoms/webhooks-not-firing/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>{symptom.title}</h1>" in html
    assert "Nothing <em>arrives</em>." in html
    assert html.index("Verify webhook URL.") < html.index("Trigger matching event.")


def test_the_symptom_page_leaves_out_retired_checks(client):
    symptom = make_symptom(checks=2)
    Check.objects.filter(symptom=symptom, key="check-2").update(published=False)
    html = client.get(symptom.get_absolute_url()).content.decode()
    assert "Check 1 of" in html
    assert "Check 2 of" not in html


def test_markdown_in_help_is_rendered_but_scripts_are_removed(client):
    symptom = make_symptom(checks=0)
    Check.objects.create(
        symptom=symptom,
        key="c",
        title="Look",
        help="Open **Settings**. <script>alert(1)</script>[x](javascript:alert(1))",
    )
    html = client.get(symptom.get_absolute_url()).content.decode()
    assert "Open <strong>Settings</strong>." in html
    assert "<script>alert" not in html
    assert "javascript:" not in html


def test_an_unknown_symptom_is_a_404_in_the_site_layout(client):
    make_symptom(key="retired", published=False)  # that one is 410 Gone: see the editor tests
    response = client.get("/symptoms/no-such-symptom/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html


def test_pages_send_a_strict_content_security_policy(client):
    symptom = make_symptom()
    for url in ["/", symptom.get_absolute_url()]:
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "unsafe-inline" not in policy


@pytest.mark.parametrize("symptoms", [10, 100])
def test_index_query_count_stays_flat(client, django_assert_num_queries, symptoms):
    categories = [make_category() for _ in range(5)]
    for i in range(symptoms):
        make_symptom(checks=4, category=categories[i % 5])
    # The published state (the shared page's key), the symptoms shown, each category's total.
    with django_assert_num_queries(3):
        response = client.get("/")
    assert response.content.decode().count('href="/symptoms/') == min(symptoms, 5 * 15)


def test_a_large_category_shows_its_first_symptoms_and_links_to_the_rest(client):
    category = make_category(title="Printers")
    for i in range(40):
        make_symptom(category=category, title=f"Printer fault {i:02d}", position=i)
    html = client.get("/").content.decode()
    assert html.count('href="/symptoms/') == 15
    assert "Printer fault 00" in html
    assert "Printer fault 15" not in html
    link = f'href="/?category={category.key}">All 40 symptoms in Printers</a>'
    assert link in html


@pytest.mark.parametrize(("page", "shown", "last"), [("1", 100, "099"), ("2", 20, "119")])
def test_a_category_lists_all_its_symptoms_a_page_at_a_time(
    client, django_assert_num_queries, page, shown, last
):
    category = make_category(title="Printers")
    for i in range(120):
        make_symptom(category=category, title=f"Printer fault {i:03d}", position=i)
    # The published state, the category, the count, the page's ids, its symptoms.
    with django_assert_num_queries(5):
        response = client.get("/", {"category": category.key, "page": page})
    html = response.content.decode()
    assert html.count('href="/symptoms/') == shown
    assert f"Printer fault {last}" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [("category=nope", "not in the playbook"), ("page=x", "whole number"), ("page=0", "")],
)
def test_a_bad_category_or_page_says_so(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.content.decode()


@pytest.mark.parametrize("checks", [10, 100])
def test_symptom_page_query_count_stays_flat(client, django_assert_max_num_queries, checks):
    symptom = make_symptom(checks=checks)
    with django_assert_max_num_queries(3):  # the published state, the symptom, its checks
        response = client.get(symptom.get_absolute_url())
    assert response.content.decode().count('id="check-') == checks


def test_the_page_querysets_load_everything_they_show():
    symptom = make_symptom(checks=3)
    # FETCH_RAISE turns any lazy load the templates would do into an error.
    page = Symptom.objects.for_page().fetch_mode(models.FETCH_RAISE).get(pk=symptom.pk)
    assert page.category.title
    assert [c.title for c in page.checks.all()]
    index = list(Symptom.objects.for_index().fetch_mode(models.FETCH_RAISE))
    assert index[0].category.title
    assert index[0].check_count == 3
