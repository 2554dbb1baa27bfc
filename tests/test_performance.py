"""What keeps pages fast and light, checked as behaviour."""

import gzip

import pytest

from diagnostics.review.forms import ReviewFilterForm
from diagnostics.staff.models import Role
from tests.factories import make_symptom, make_user, save_case, start_session

pytestmark = pytest.mark.django_db


def test_pages_are_compressed_for_browsers_that_accept_it(client):
    make_symptom(checks=8)
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"What are you seeing?" in gzip.decompress(response.content)


def test_the_bench_floor_is_not_part_of_the_product(client):
    assert client.get("/bench/floor/").status_code == 404


def test_the_bench_floor_reads_one_row_under_the_bench_urls(
    client, settings, django_assert_num_queries
):
    make_symptom(pk=1, title="Floor")
    settings.ROOT_URLCONF = "bench.urls"
    with django_assert_num_queries(1):
        response = client.get("/bench/floor/")
    assert response.content == b"Floor"


def test_long_menus_escape_labels_and_keep_the_choice():
    symptom = make_symptom(title="<b>Tags & ampersands</b>")
    html = str(ReviewFilterForm({"symptom": symptom.pk})["symptom"])
    assert f'<option value="{symptom.pk}" selected>&lt;b&gt;Tags &amp; ampersands&lt;/b&gt;' in html
    assert '<select id="id_symptom" name="symptom">' in html
    assert '<option value="">Any symptom</option>' in html


def test_index_links_every_symptom_to_its_page(client):
    keys = [make_symptom(key=f"symptom-key-{i}").key for i in range(3)]
    html = client.get("/").content.decode()
    for key in keys:
        assert f'href="/symptoms/{key}/"' in html


def test_insights_show_the_25_busiest_symptoms_unless_all_are_asked_for(client):
    client.force_login(make_user(Role.LEAD))
    for i in range(27):
        symptom = make_symptom(checks=1, title=f"Symptom with {i + 1} cases")
        for _ in range(i + 1 if i < 3 else 1):
            save_case(start_session(symptom), outcome="escalated")
    html = client.get("/review/insights/").content.decode()
    assert html.count("<tr data-symptom=") == 25
    assert "Show all 27 symptoms" in html
    assert "Symptom with 3 cases" in html
    html = client.get("/review/insights/?all=1").content.decode()
    assert html.count("<tr data-symptom=") == 27


def test_insights_list_at_most_50_checks_that_never_resolved(client):
    client.force_login(make_user(Role.LEAD))
    for _ in range(13):
        save_case(start_session(make_symptom(checks=4)), outcome="escalated")  # 52 checks
    html = client.get("/review/insights/").content.decode()
    never = html.split('<table class="never">')[1].split("</table>")[0]
    assert never.count('<th scope="row">') == 50
    assert "And 2 more: choose a symptom to see all of its checks." in html
