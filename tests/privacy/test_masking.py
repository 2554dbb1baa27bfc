"""Masking at capture: what people type is stored only masked."""

import json

import pytest

from diagnostics.diagnosis.models import CheckResult
from diagnostics.privacy import masking
from diagnostics.privacy.masking import mask
from diagnostics.privacy.models import MaskingRule
from diagnostics.review.models import Comment
from tests.factories import make_case, start_session, tick_url

pytestmark = pytest.mark.django_db

HEX_HASH = "3f786850e387550fdab836ed7e6dc881de23001b"  # a commit: kept, though long


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("card 4111 1111 1111 1111 declined", "card [card number removed] declined"),
        ("card 4111-1111-1111-1111", "card [card number removed]"),
        ("amex 378282246310005", "amex [card number removed]"),
        ("order 1234567812345678 is late", "order 1234567812345678 is late"),  # fails Luhn
        ("call +44 20 7946 0958", "call +44 20 7946 0958"),
        ("write to jo.smith+help@example.co.uk today", "write to [e-mail address removed] today"),
        ("user@localhost is not an address", "user@localhost is not an address"),
        ("pay GB82 WEST 1234 5698 7654 32 now", "pay [IBAN removed] now"),
        ("DE89370400440532013000", "[IBAN removed]"),
        ("GB00 WEST 1234 5698 7654 32", "GB00 WEST 1234 5698 7654 32"),  # bad checksum
        ("key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "key [secret removed]"),
        ("AKIAIOSFODNN7EXAMPLE in the logs", "[secret removed] in the logs"),
        ("Authorization: Bearer abc.def-ghi_jkl~mno123", "Authorization: Bearer [secret removed]"),
        ("password: hunter2!!", "password: [secret removed]"),
        ("sha " + HEX_HASH, "sha " + HEX_HASH),
        ("webhook URL https://example.com/hooks/1", "webhook URL https://example.com/hooks/1"),
    ],
)  # fmt: skip
def test_each_built_in_rule_on_true_and_false_positives(typed, stored):
    assert mask(typed) == stored


def test_a_built_in_rule_turned_off_keeps_its_values():
    # Its row, as the privacy page makes it: a transactional test before this one on the
    # same worker may have flushed the rows the data migration wrote.
    MaskingRule.with_builtins()
    MaskingRule.objects.filter(builtin="email").update(enabled=False)
    assert mask("jo@example.com") == "jo@example.com"


def test_an_admin_s_own_rule_masks_its_pattern():
    MaskingRule.objects.create(name="Orders", pattern=r"ORD-\d{8}", marker="[order removed]")
    assert mask("see ORD-12345678 and ORD-1") == "see [order removed] and ORD-1"


def test_a_pattern_that_takes_too_long_withholds_the_text_rather_than_store_it(monkeypatch):
    monkeypatch.setattr(masking, "TIMEOUT", 0.05)
    MaskingRule.objects.create(name="Slow", pattern=r"(a|aa)+$", marker="[x]")
    assert mask("a" * 40 + "!") == masking.WITHHELD


def test_a_note_reaches_the_database_the_case_json_and_the_webhook_only_masked(client):
    session = start_session()
    client.post(
        tick_url(session, 1), {"status": "problem", "note": "card 4111 1111 1111 1111 failed"}
    )
    assert CheckResult.objects.get(session=session, position=1).note == (
        "card [card number removed] failed"
    )
    client.post(
        f"/cases/{session.token}/save/",
        {"outcome": "not_resolved", "summary": "Reach me at jo@example.com"},
    )
    record = client.get(f"/cases/{session.token}.json").json()
    assert record["summary"] == "Reach me at [e-mail address removed]"
    assert "4111" not in json.dumps(record)


def test_comments_and_tickets_are_masked_too(client, lead):
    case = make_case()
    client.post(f"/cases/{case.session.token}/comments/", {"body": "IBAN DE89370400440532013000"})
    assert Comment.objects.get().body == "IBAN [IBAN removed]"
    client.force_login(lead)
    response = client.post(
        "/symptoms/" + case.symptom.key + "/start/", {"ticket": "jo@example.com"}
    )
    assert response.status_code == 302
    from diagnostics.diagnosis.models import DiagnosticSession

    assert DiagnosticSession.objects.latest("started_at").ticket == "[e-mail address removed]"


def test_the_customer_is_told_such_values_are_removed(client):
    session = start_session()
    html = client.get(session.get_absolute_url()).content.decode()
    assert "card numbers, e-mail addresses, bank account numbers" in html


def test_an_admin_tests_a_rule_on_a_sample_before_saving_it(client, admin):
    response = client.post(
        "/settings/privacy/rules/",
        {"name": "Orders", "pattern": r"ORD-\d{8}", "marker": "[order removed]",
         "sample": "ORD-12345678 from jo@example.com", "test": "1"},
    )  # fmt: skip
    assert "[order removed] from [e-mail address removed]" in response.content.decode()
    assert not MaskingRule.objects.filter(name="Orders").exists()
    bad = client.post(
        "/settings/privacy/rules/", {"name": "Bad", "pattern": "(unclosed", "marker": "x"}
    )
    assert bad.status_code == 400
    assert "is not a valid regular expression" in bad.content.decode()
    client.post(
        "/settings/privacy/rules/",
        {"name": "Orders", "pattern": r"ORD-\d{8}", "marker": "[order removed]"},
    )
    assert MaskingRule.objects.filter(name="Orders").exists()


def test_built_in_rules_apply_even_when_their_rows_are_missing(client, admin):
    MaskingRule.objects.all().delete()  # a flushed or restored database
    assert mask("jo@example.com") == "[e-mail address removed]"
    html = client.get("/settings/privacy/").content.decode()
    assert "E-mail addresses" in html  # the page brings the row back, on
    assert MaskingRule.objects.get(builtin="email").enabled


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("4111 1111 1111 1111 123", "[card number removed] 123"),  # a CVV after it
        ("4111111111111111 12/26", "[card number removed] 12/26"),  # an expiry
        ("ref-4111111111111111", "ref-[card number removed]"),
        ("ref 12 4111 1111 1111 1111", "ref 12 [card number removed]"),
        ("4111\u00a01111\u00a01111\u00a01111", "[card number removed]"),
        ("4111  1111  1111  1111", "[card number removed]"),
        ("4111/1111/1111/1111", "[card number removed]"),
        ("4111_1111_1111_1111", "[card number removed]"),
        ("GB82  WEST  1234  5698  7654  32", "[IBAN removed]"),
        ("BE68 5390 0754 7034 thanks", "[IBAN removed] thanks"),
        ("ES91 2100 0418 4502 0005 1332 please", "[IBAN removed] please"),
        ("tel 0049 30 1234 5678 9012 3", "tel 0049 30 1234 5678 9012 3"),
        ("john@example.xn--p1ai", "[e-mail address removed]"),
    ],
)
def test_what_follows_or_precedes_a_value_does_not_save_it_from_masking(typed, stored):
    assert mask(typed) == stored


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("a{10000000}", "repeats something more than 1000 times"),
        ("(a|aa)+$", "takes too long on long text"),
        ("(?(DEFINE)(?<x>(?&x)))(?&x)", "takes too long on long text"),
        ("x*", "matches empty text"),
        ("x" * 201, "is longer than 200 characters"),
    ],
)
def test_a_pattern_that_could_stall_or_swamp_the_server_is_refused(client, admin, pattern, message):
    response = client.post(
        "/settings/privacy/rules/",
        {"name": "Risky", "pattern": pattern, "marker": "[x]", "sample": "aaa", "test": "1"},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not MaskingRule.objects.filter(name="Risky").exists()
