"""Test data, made the way the product makes it."""

import re
import time
from datetime import timedelta
from io import StringIO
from itertools import count
from pathlib import Path

from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.utils import timezone
from django_otp.oath import TOTP

from diagnostics.content.models import Category, Check, Symptom
from diagnostics.diagnosis.models import Case, DiagnosticSession, ResultStatus, ReviewStatus
from diagnostics.staff.models import Role

ROOT = Path(__file__).resolve().parent.parent  # the checkout
_serial = count(1)
PASSWORD = "correct horse battery staple"


def make_category(**fields):
    n = next(_serial)
    fields = {"key": f"category-{n}", "title": f"Category {n}", "position": n, **fields}
    return Category.objects.create(**fields)


def make_symptom(checks=3, category=None, **fields):
    n = next(_serial)
    fields = {"key": f"symptom-{n}", "title": f"Symptom {n}", "position": n, **fields}
    symptom = Symptom.objects.create(category=category or make_category(), **fields)
    Check.objects.bulk_create(
        Check(symptom=symptom, key=f"check-{i}", title=f"Check {i} of {symptom.title}", position=i)
        for i in range(1, checks + 1)
    )
    return symptom


PLAYBOOK = """\
playbook: 1
title: Test playbook
categories:
  - key: integrations
    title: Integration issues
    symptoms:
      - key: webhooks-not-firing
        title: Webhooks not firing
        summary: Nothing reaches the *receiver*.
        checks:
          - key: webhook-url
            title: Verify webhook URL and event subscriptions.
            help: Open **Settings**.
          - key: trigger-event
            title: Trigger matching event.
  - key: permissions
    title: Permissions issues
    symptoms:
      - key: agent-cannot-access-page
        title: Agent cannot access expected page
        checks:
          - key: role-mapping
            title: Confirm role and custom role mapping.
"""


def import_shipped_playbook():
    """Import the playbook the portal ships with, as `make run` does."""
    call_command("import_playbook", "fixtures/playbook.yaml", stdout=StringIO())


def start_session(symptom=None, **kwargs):
    """A live diagnostic session, started the way the start button starts one."""
    symptom = symptom or make_symptom()
    return DiagnosticSession.start(Symptom.objects.for_page().get(pk=symptom.pk), **kwargs)


def save_case(
    session, outcome="not_resolved", resolved_by=None, summary="Saved in a test.", **fields
):
    """Save `session` as a case the way the save button does (tallies included). As the form
    requires, the check that resolved it is first marked as having found a problem."""
    if resolved_by is not None and resolved_by.status != ResultStatus.PROBLEM:
        resolved_by.record(ResultStatus.PROBLEM)
    return Case.objects.create(
        session=session, outcome=outcome, resolved_by=resolved_by, summary=summary, **fields
    )


def make_case(
    symptom=None,
    *,
    outcome="not_resolved",
    days_ago=0,
    ticket="",
    summary="Saved in a test.",
    ran_by=None,
    status=ReviewStatus.NEW,
    resolved_position=None,
    problems=(),
):
    """A case made as people make one: results ticked, then saved (on a day in the past)."""
    session = start_session(symptom or make_symptom(), started_by=ran_by, ticket=ticket)
    problems = {*problems, resolved_position}
    for result in session.results.filter(position__in=problems):
        result.record(ResultStatus.PROBLEM)
    resolved_by = session.results.get(position=resolved_position) if resolved_position else None
    return save_case(
        session,
        outcome=outcome,
        resolved_by=resolved_by,
        summary=summary,
        saved_at=timezone.now() - timedelta(days=days_ago),
        review_status=status,
    )


def make_user(role=None, username=None, **fields):
    """A staff member in `role` (a Role), or no role at all; their password is PASSWORD."""
    n = next(_serial)
    user = User.objects.create_user(
        username or f"user{n}",
        email=f"user{n}@example.com",
        password=PASSWORD,
        is_staff=role == Role.ADMIN,
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def totp_code(device, steps_ahead=0):
    """The code the person's authenticator app shows now (or a step later: the device accepts
    one step of drift, and refuses a code it has already accepted)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


# -- Reading what the pages did ---------------------------------------------------------------


def results(session):
    """(status, note) of each of the session's checks, in order, as stored."""
    return list(session.results.values_list("status", "note"))


def main_content(response):
    """The page's <main>, without the per-request CSRF tokens of its forms (the rest of the
    page carries nonces too)."""
    main = re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def tick_url(session, position):
    return f"/cases/{session.token}/checks/{position}/"
