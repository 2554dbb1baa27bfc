"""The portable case record: one JSON document at the case's own address."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from diagnostics.diagnosis.record import SCHEMA
from tests.factories import make_case, make_symptom, start_session

pytestmark = pytest.mark.django_db


def test_a_saved_case_is_one_json_document_at_its_link(client):
    case = make_case(outcome="resolved", resolved_position=2, summary="Fixed by re-saving the URL")
    token = case.session.token
    response = client.get(f"/cases/{token}.json")
    assert response["Content-Type"] == "application/json"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    record = response.json()
    assert record["schema"] == SCHEMA
    assert record["url"] == f"http://testserver/cases/{token}/"
    assert record["state"] == "saved"
    assert record["outcome"] == "resolved"
    assert record["resolved_by"]["position"] == 2
    assert record["summary"] == "Fixed by re-saving the URL"
    assert [c["result"] for c in record["checks"]] == ["pending", "problem", "pending"]
    assert record["checks"][1]["title"] == case.session.results.get(position=2).title
    assert record["saved_at"]
    assert record["started_at"]


def test_asking_for_json_at_the_case_s_page_gets_the_record_and_a_browser_the_page(client):
    case = make_case()
    url = case.get_absolute_url()
    as_json = client.get(url, headers={"Accept": "application/json"})
    assert as_json.json()["schema"] == SCHEMA
    page = client.get(url, headers={"Accept": "text/html,application/json;q=0.9"})
    assert page["Content-Type"].startswith("text/html")
    assert "Accept" in page["Vary"]


def test_a_running_diagnosis_has_a_record_without_an_outcome(client):
    session = start_session()
    record = client.get(f"/cases/{session.token}.json").json()
    assert (record["state"], record["outcome"], record["review"]) == ("running", None, None)


def test_an_unknown_token_is_404(client):
    assert client.get("/cases/nope.json").status_code == 404


@pytest.mark.parametrize("checks", [5, 50])
def test_the_record_runs_the_same_queries_however_many_checks(client, checks):
    case = make_case(make_symptom(checks=checks))
    with CaptureQueriesContext(connection) as queries:
        json.loads(client.get(f"/cases/{case.session.token}.json").content)
    assert len(queries) == 2  # the session with what it shows, then its results
