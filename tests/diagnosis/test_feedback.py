"""'Did this solve your problem?' on a saved case: once per case, changeable by the browser
that answered, shown on the case and in its record."""

import pytest
from django.test import Client

from diagnostics.diagnosis.models import Case
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def answer(client, case, **data):
    return client.post(f"/cases/{case.session.token}/feedback/", data)


def test_a_customer_answers_no_with_a_reason_and_sees_it_on_the_case(client):
    case = make_case()
    response = answer(client, case, helped="no", reason="The webhook still fails")
    assert response["Location"] == f"/cases/{case.session.token}/#feedback"
    case.refresh_from_db()
    assert (case.helped, case.helped_reason) == ("no", "The webhook still fails")
    html = client.get(case.get_absolute_url()).content.decode()
    assert "Answered: <strong>No</strong>: The webhook still fails" in html
    assert client.get(f"/cases/{case.session.token}.json").json()["feedback"]["helped"] == "no"


def test_the_same_browser_may_change_its_answer_but_another_may_not(client):
    case = make_case()
    answer(client, case, helped="no")
    answer(client, case, helped="yes", reason="It worked after all")
    assert Case.objects.get(pk=case.pk).helped == "yes"
    other = Client()
    response = answer(other, case, helped="no")
    assert response.status_code == 409
    assert Case.objects.get(pk=case.pk).helped == "yes"
    assert "Send answer" not in other.get(case.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("data", "problem"),
    [({}, "Choose yes or no."), ({"helped": "maybe"}, "Choose yes or no."),
     ({"helped": "no", "reason": "x" * 501}, "Keep it under 500 characters"),
     ({"helped": "no", "reason": "bad \x1b"}, "control character")],
)  # fmt: skip
def test_bad_answers_are_refused_and_change_nothing(client, data, problem):
    case = make_case()
    response = answer(client, case, **data)
    assert response.status_code == 400
    assert problem in response.content.decode()
    assert Case.objects.get(pk=case.pk).helped == ""


def test_a_reason_is_masked_like_everything_typed(client):
    case = make_case()
    answer(client, case, helped="no", reason="call me: jo@example.com")
    assert Case.objects.get(pk=case.pk).helped_reason == "call me: [e-mail address removed]"


def test_a_running_diagnosis_has_no_feedback_yet(client):
    from tests.factories import start_session

    session = start_session()
    assert client.post(f"/cases/{session.token}/feedback/", {"helped": "yes"}).status_code == 404
