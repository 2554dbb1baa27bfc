"""Tallies for insights: how each symptom's cases ended and what each check did, per day and of
all time, so the insights page adds up a row per symptom instead of reading every case.

They are derived state with one write path: `Case.save()` counts a new case and
`Case.delete()` takes one out, both through `count_case`, in the transaction that changes the
case. `differences()` compares them with a recount of the cases (`manage.py check_tallies`);
`rebuild()` replaces them with one (after bulk loads, or to repair)."""

import itertools
from types import SimpleNamespace

from django.apps import apps as global_apps
from django.db import models, transaction
from django.db.models.functions import TruncDate
from django.utils import timezone

from diagnostics.content.models import KEY_MAX_LENGTH, Symptom
from diagnostics.counters import increment
from diagnostics.diagnosis import flow
from diagnostics.diagnosis.models import CheckResult, Helped, Outcome, ResultStatus


class SymptomCounts(models.Model):
    """How the cases of one symptom ended."""

    COUNTS = ("cases", "resolved", "not_resolved", "escalated", "helped_yes", "helped_no")

    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="+")
    cases = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    not_resolved = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    # "Did this solve your problem?": the cases whose answer is yes, and no (on the day each
    # case was saved, wherever the answer came later).
    helped_yes = models.PositiveIntegerField(default=0)
    helped_no = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class SymptomDay(SymptomCounts):
    """One symptom's cases saved on one day: insights over a date range add these up."""

    KEY = ("symptom_id", "day")

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "day"], name="symptom_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="symptom_day_idx")]

    def __str__(self):
        return f"{self.symptom_id} on {self.day}: {self.cases} cases"


class SymptomTotal(SymptomCounts):
    """One symptom's cases of all time: insights without a date range read these directly,
    so they cost the same at any number of cases or days."""

    KEY = ("symptom_id",)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["symptom"], name="symptom_total_unique")]

    def __str__(self):
        return f"{self.symptom_id}: {self.cases} cases"


class CheckCounts(models.Model):
    """What one check (by key) of one symptom did in its symptom's cases."""

    COUNTS = ("runs", "problems", "resolved")

    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    runs = models.PositiveIntegerField(default=0)
    problems = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class CheckDay(CheckCounts):
    KEY = ("symptom_id", "key", "day")

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key", "day"], name="check_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="check_day_idx")]

    def __str__(self):
        return f"{self.symptom_id}/{self.key} on {self.day}: {self.runs} runs"


class CheckTotal(CheckCounts):
    KEY = ("symptom_id", "key")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key"], name="check_total_unique")
        ]

    def __str__(self):
        return f"{self.symptom_id}/{self.key}: {self.runs} runs"


class StepCounts(models.Model):
    """On a branched symptom (schema 2), where people went after one check, by key: `to` is
    "check:<key>", "outcome:<outcome>", "symptom:<key>", "end" (past the last check), or
    "stopped" (the case was saved while this check waited for an answer)."""

    COUNTS = ("count",)

    symptom = models.ForeignKey(Symptom, models.CASCADE, related_name="+")
    key = models.CharField(max_length=KEY_MAX_LENGTH)
    to = models.CharField(max_length=KEY_MAX_LENGTH + 10)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StepDay(StepCounts):
    KEY = ("symptom_id", "key", "to", "day")

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key", "to", "day"], name="step_day_unique")
        ]
        indexes = [models.Index(fields=["day"], name="step_day_idx")]

    def __str__(self):
        return f"{self.symptom_id}/{self.key} → {self.to} on {self.day}: {self.count}"


class StepTotal(StepCounts):
    KEY = ("symptom_id", "key", "to")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["symptom", "key", "to"], name="step_total_unique")
        ]

    def __str__(self):
        return f"{self.symptom_id}/{self.key} → {self.to}: {self.count}"


TALLIES = (SymptomDay, SymptomTotal, CheckDay, CheckTotal, StepDay, StepTotal)


def steps(results):
    """(from key, to) for each step a branched diagnosis's answers took, from its `results`
    in order (see StepCounts); nothing for a checklist without rules."""
    if not any(r.rules for r in results):
        return []
    path = flow.evaluate(results, {r.key: r.status for r in results})
    walked = path.walked
    found = [(a, f"check:{b}") for a, b in itertools.pairwise(walked)]
    if path.next_key:
        found.append((path.next_key, "stopped"))
    elif path.end:
        ((kind, target),) = ((k, v) for k, v in path.end.items() if k != "title")
        found.append((walked[-1], f"{kind}:{target}"))
    elif walked:
        found.append((walked[-1], "end"))
    return found


def case_day(case):
    return timezone.localdate(case.saved_at)


def count_case(case, sign=1):
    """Add a case to the tallies (`sign=-1`: take it out), inside the transaction that saves
    or deletes it: one query for its results, then small writes per symptom and check. A case
    that contradicts its results is never counted (only older portals could save one)."""
    results = list(
        CheckResult.objects.filter(session_id=case.session_id).only("id", "key", "status", "rules")
    )
    if case.contradicts(results):
        return
    day = case_day(case)
    counts = {"cases": sign, case.outcome: sign}
    if case.helped:
        counts[f"helped_{case.helped}"] = sign
    increment(SymptomDay, {"symptom_id": case.symptom_id, "day": day}, counts)
    increment(SymptomTotal, {"symptom_id": case.symptom_id}, counts)
    for result in results:
        counts = {
            "runs": sign,
            "problems": sign * (result.status == ResultStatus.PROBLEM),
            "resolved": sign * (result.pk == case.resolved_by_id),
        }
        where = {"symptom_id": case.symptom_id, "key": result.key}
        increment(CheckDay, {**where, "day": day}, counts)
        increment(CheckTotal, where, counts)
    for key, to in steps(results):
        where = {"symptom_id": case.symptom_id, "key": key, "to": to}
        increment(StepDay, {**where, "day": day}, {"count": sign})
        increment(StepTotal, where, {"count": sign})


def count_feedback(case, before, after):
    """Move a case from its old answer to "did this help?" to its new one, inside the
    transaction (holding the case's lock) that changes it. One query for its results, then
    two small writes: nothing for a case the tallies do not count."""
    if before == after:
        return
    results = list(
        CheckResult.objects.filter(session_id=case.session_id).only("id", "key", "status", "rules")
    )
    if case.contradicts(results):
        return
    counts = {}
    if before:
        counts[f"helped_{before}"] = -1
    if after:
        counts[f"helped_{after}"] = 1
    increment(SymptomDay, {"symptom_id": case.symptom_id, "day": case_day(case)}, counts)
    increment(SymptomTotal, {"symptom_id": case.symptom_id}, counts)


def recount(apps=global_apps):
    """Every tally as the cases say it should be: {model: {key: {count: value}}}. Reads the
    cases and results grouped by the database; the result holds a row per tally. `apps` is
    a migration's, when one rebuilds the tallies."""
    contradicting = contradicting_cases(apps)
    cases = apps.get_model("diagnostics", "Case").objects.exclude(id__in=contradicting)
    results = (
        apps.get_model("diagnostics", "CheckResult")
        .objects.filter(session__case__isnull=False)
        .exclude(session__case__id__in=contradicting)
    )
    outcomes = {
        outcome.value: models.Count("id", filter=models.Q(outcome=outcome)) for outcome in Outcome
    }
    if has_field(cases.model, "helped"):  # migrations before 0018 rebuild without feedback
        outcomes |= {
            f"helped_{answer}": models.Count("id", filter=models.Q(helped=answer))
            for answer in Helped.values
        }
    days = (
        cases.annotate(day=TruncDate("saved_at"))
        .values("symptom_id", "day")
        .annotate(cases=models.Count("id"), **outcomes)
        .order_by()
    )
    symptom_days = {
        (row.pop("symptom_id"), row.pop("day")): {"helped_yes": 0, "helped_no": 0, **row}
        for row in days.iterator()
    }

    runs = (
        results.annotate(day=TruncDate("session__case__saved_at"))
        .values("session__symptom_id", "key", "day")
        .annotate(
            runs=models.Count("id"),
            problems=models.Count("id", filter=models.Q(status=ResultStatus.PROBLEM)),
        )
        .order_by()
    )
    check_days = {
        (row["session__symptom_id"], row["key"], row["day"]): {
            "runs": row["runs"], "problems": row["problems"], "resolved": 0,
        }
        for row in runs.iterator()
    }  # fmt: skip
    resolving = (
        cases.filter(outcome=Outcome.RESOLVED)
        .annotate(day=TruncDate("saved_at"))
        .values("symptom_id", "resolved_by__key", "day")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    for row in resolving.iterator():
        check_days[(row["symptom_id"], row["resolved_by__key"], row["day"])]["resolved"] = row["n"]
    recounted = {
        SymptomDay: symptom_days,
        SymptomTotal: _sum_days(symptom_days, SymptomCounts.COUNTS),
        CheckDay: check_days,
        CheckTotal: _sum_days(check_days, CheckCounts.COUNTS),
    }
    if has_model(apps, "StepDay"):  # migrations before 0024 rebuild without steps
        step_days = recount_steps(results)
        recounted |= {StepDay: step_days, StepTotal: _sum_days(step_days, StepCounts.COUNTS)}
    return recounted


def recount_steps(results):
    """The step tallies as the saved cases' results say: their paths walked again, a case at
    a time, in Python (a path is not a sum SQL can take). Reads only branched sessions."""
    branched = results.exclude(rules={}).values("session_id")
    rows = (
        results.filter(session_id__in=branched)
        .order_by("session_id", "position")
        .values_list(
            "session_id", "key", "status", "rules", "session__symptom_id", "session__case__saved_at"
        )
    )
    found = {}
    for _, group in itertools.groupby(rows.iterator(), key=lambda row: row[0]):
        group = list(group)
        symptom_id, day = group[0][4], timezone.localdate(group[0][5])
        taken = [SimpleNamespace(key=r[1], status=r[2], rules=r[3]) for r in group]
        for key, to in steps(taken):
            counts = found.setdefault((symptom_id, key, to, day), {"count": 0})
            counts["count"] += 1
    return found


def has_model(apps, name):
    try:
        apps.get_model("diagnostics", name)
    except LookupError:
        return False
    return True


def contradicting_cases(apps=global_apps):
    """Ids of the cases that contradict their results (see `Case.contradicts`): two plain
    queries, whose answer is empty on a portal that only ever saved through the form."""
    cases = apps.get_model("diagnostics", "Case").objects
    wrong_check = cases.filter(outcome=Outcome.RESOLVED).exclude(
        resolved_by__status=ResultStatus.PROBLEM
    )
    if has_field(apps.get_model("diagnostics", "CheckResult"), "rules"):  # from 0023 on
        wrong_check = wrong_check.exclude(  # an answer whose rule says "resolved"
            models.Q(resolved_by__status="ok", resolved_by__rules__ok__outcome=Outcome.RESOLVED)
            | models.Q(resolved_by__status="na", resolved_by__rules__na__outcome=Outcome.RESOLVED)
        )
    nothing_said = (
        cases.filter(summary="")
        .annotate(
            answered=models.Count(
                "session__results",
                filter=~models.Q(session__results__status=ResultStatus.PENDING),
            )
        )
        .filter(answered=0)
    )
    return [
        *wrong_check.values_list("id", flat=True),
        *nothing_said.values_list("id", flat=True),
    ]


def has_field(model, name):
    return any(field.name == name for field in model._meta.get_fields())


def _sum_days(days, names):
    totals = {}
    for where, counts in days.items():
        total = totals.setdefault(where[:-1], dict.fromkeys(names, 0))
        for name in names:
            total[name] += counts[name]
    return totals


def stored(model):
    """The tallies of `model` as they are: {key: {count: value}}."""
    return {
        row[: len(model.KEY)]: dict(zip(model.COUNTS, row[len(model.KEY) :], strict=True))
        for row in model.objects.values_list(*model.KEY, *model.COUNTS).iterator()
    }


def differences():
    """(model, key, stored, recounted) for each tally that is not what a recount says; a
    missing row counts as zeros. Empty when the tallies are exact."""
    found = []
    for model, expected in recount().items():
        actual = stored(model)
        zero = dict.fromkeys(model.COUNTS, 0)
        for where in sorted(actual.keys() | expected.keys(), key=str):
            have, want = actual.get(where, zero), expected.get(where, zero)
            if have != want:
                found.append((model, where, have, want))
    return found


@transaction.atomic
def rebuild(apps=global_apps):
    """Replace every tally with a recount of the cases (with a migration's `apps`, through
    the models as they were at that migration)."""
    for tally, rows in recount(apps).items():
        model = apps.get_model("diagnostics", tally.__name__)
        model.objects.all().delete()
        kept = [name for name in tally.COUNTS if has_field(model, name)]  # as at a migration
        model.objects.bulk_create(
            (model(**dict(zip(tally.KEY, where, strict=True)),
                   **{name: counts[name] for name in kept})
             for where, counts in rows.items()),
            batch_size=2_000,
        )  # fmt: skip
