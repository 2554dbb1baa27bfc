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
     ({"helped": "no", "reason": "bad \x1b"}, "control character"),
     ({"helped": "no", "reason": "evil \u202egnp.exe"}, "direction mark")],
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


def test_two_first_answers_from_two_browsers_at_once_keep_only_the_first():
    from diagnostics.diagnosis.models import FeedbackTaken

    case = make_case()
    stale = Case.objects.get(pk=case.pk)  # loaded by the second browser before the first answer
    case.answer_feedback("yes", "")
    with pytest.raises(FeedbackTaken):
        stale.answer_feedback("no", "")
    assert Case.objects.get(pk=case.pk).helped == "yes"


def test_answers_in_insights_equal_a_count_by_hand_however_often_they_change(client, lead):
    from diagnostics.review import tallies
    from tests.factories import make_symptom

    symptom = make_symptom()
    cases = [make_case(symptom) for _ in range(5)]
    clients = [Client() for _ in cases]
    for browser, case, helped in zip(clients, cases, ["yes", "no", "no", "yes", "no"], strict=True):
        answer(browser, case, helped=helped)
    answer(clients[1], cases[1], helped="yes")  # changed its mind: one no fewer
    by_hand = {
        answer: Case.objects.filter(symptom=symptom, helped=answer).count()
        for answer in ("yes", "no")
    }
    assert by_hand == {"yes": 3, "no": 2}
    html = client.get("/review/insights/").content.decode()
    assert f'data-helped-yes="{by_hand["yes"]}" data-helped-no="{by_hand["no"]}"' in html
    cases[2].delete()  # a deleted case takes its answer out with it
    assert tallies.differences() == []


def test_an_answer_reaches_webhooks_as_case_answered():
    import json

    from diagnostics.integrations.models import Delivery, Endpoint

    Endpoint.objects.create(url="https://hooks.example.com/in", events=["case.answered"])
    case = make_case()
    case.answer_feedback("no", "Still broken")
    delivery = Delivery.objects.get()
    assert delivery.event == "case.answered"
    assert json.loads(delivery.payload)["data"]["case"]["feedback"]["reason"] == "Still broken"


def test_sending_the_same_answer_again_tells_webhooks_nothing_new(client):
    from diagnostics.integrations.models import Delivery, Endpoint

    Endpoint.objects.create(url="https://hooks.example.com/in", events=["case.answered"])
    case = make_case()
    for _ in range(3):
        answer(client, case, helped="yes", reason="Fixed")
    assert Delivery.objects.count() == 1
    answer(client, case, helped="no", reason="Broke again")
    assert Delivery.objects.count() == 2
