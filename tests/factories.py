"""Test data, made the way the product makes it."""

from itertools import count

from diagnostics.models import Category, Check, Symptom

_serial = count(1)


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


def start_session(symptom=None, **kwargs):
    """A live diagnostic session, started the way the start button starts one."""
    from diagnostics.models import DiagnosticSession

    symptom = symptom or make_symptom()
    return DiagnosticSession.start(Symptom.objects.for_page().get(pk=symptom.pk), **kwargs)


def save_case(session, outcome="not_resolved", resolved_by=None, summary="", **fields):
    """Save `session` as a case the way the save button does (tallies included)."""
    from diagnostics.models import Case

    return Case.objects.create(
        session=session, outcome=outcome, resolved_by=resolved_by, summary=summary, **fields
    )


def make_user(role=None, username=None, **fields):
    """A staff member in `role` (a diagnostics.models.Role), or no role at all."""
    from django.contrib.auth.models import Group, User

    from diagnostics.models import Role

    n = next(_serial)
    user = User.objects.create_user(
        username or f"user{n}",
        email=f"user{n}@example.com",
        password="correct horse battery staple",
        is_staff=role == Role.ADMIN,
        **fields,
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user
