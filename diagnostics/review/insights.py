"""What resolves what: outcome shares per symptom and what each check finds and fixes.

Added up by the database from tallies kept as cases are saved: all-time totals per symptom and
check, or daily ones for a date range. The cost follows the number of symptoms (and days), not
of cases; this module only arranges the sums for the page and works out the chart's geometry."""

from dataclasses import dataclass, field

from django.db.models import Sum

from diagnostics.content.models import Check, Symptom
from diagnostics.diagnosis.models import Outcome


@dataclass
class CheckStats:
    symptom_id: int
    key: str
    title: str
    runs: int = 0
    problems: int = 0
    resolved: int = 0
    position: int = 1_000
    symptom_title: str = ""
    went: list = field(default_factory=list)  # on a branched symptom: [(where, count, percent)]
    stopped: int = 0  # cases saved while this check waited for an answer

    @property
    def never_resolves(self):
        return self.runs > 0 and self.resolved == 0


@dataclass
class SymptomStats:
    symptom_id: int
    title: str
    total: int
    resolved: int
    not_resolved: int
    escalated: int
    helped_yes: int = 0
    helped_no: int = 0
    key: str = ""

    def share(self, count):
        return round(100 * count / self.total) if self.total else 0

    @property
    def answers(self):
        """Cases whose customer said whether it solved their problem."""
        return self.helped_yes + self.helped_no

    @property
    def did_not_help_share(self):
        return round(100 * self.helped_no / self.answers) if self.answers else 0

    @property
    def shares(self):
        """(outcome, label, count, percent) in the order the chart stacks them."""
        return [
            (Outcome.RESOLVED, "Resolved", self.resolved, self.share(self.resolved)),
            (
                Outcome.NOT_RESOLVED,
                "Not resolved",
                self.not_resolved,
                self.share(self.not_resolved),
            ),
            (Outcome.ESCALATED, "Escalated", self.escalated, self.share(self.escalated)),
        ]


def report(symptom_days, check_days, *, detail=None):
    """Outcome sums per symptom in the given tallies (daily ones for a date range, or the
    all-time totals), most cases first; the checks that never resolved a case, across all
    symptoms (the NEVER_SHOWN most run, and how many there are); and every check of the
    `detail` symptom. Five queries, over tallies rather than cases."""
    symptoms = {
        row["symptom_id"]: SymptomStats(
            symptom_id=row["symptom_id"],
            title=row["symptom__title"],
            total=row["total"],
            resolved=row["resolved_sum"],
            not_resolved=row["not_resolved_sum"],
            escalated=row["escalated_sum"],
            helped_yes=row["helped_yes_sum"],
            helped_no=row["helped_no_sum"],
            key=row["symptom__key"],
        )
        for row in symptom_days.values("symptom_id", "symptom__title", "symptom__key")
        .annotate(
            total=Sum("cases"),
            resolved_sum=Sum("resolved"),
            not_resolved_sum=Sum("not_resolved"),
            escalated_sum=Sum("escalated"),
            helped_yes_sum=Sum("helped_yes"),
            helped_no_sum=Sum("helped_no"),
        )
        .order_by()
    }
    per_check = (
        check_days.values("symptom_id", "key")
        .annotate(runs_sum=Sum("runs"), problems_sum=Sum("problems"), resolved_sum=Sum("resolved"))
        .order_by()
    )
    # The most run first, and only as many as the page lists: at 2,000 symptoms thousands
    # of young checks have never resolved a case.
    never_rows = per_check.filter(resolved_sum=0)
    never_count = never_rows.count()
    never = _checks(never_rows.order_by("-runs_sum", "symptom_id", "key")[:NEVER_SHOWN])
    shown = _checks(per_check.filter(symptom_id=detail.pk)) if detail else []
    _name_checks(never + shown)
    for stats in never:
        stats.symptom_title = (
            symptoms[stats.symptom_id].title if stats.symptom_id in symptoms else ""
        )
    return {
        "symptoms": sorted(symptoms.values(), key=lambda s: (-s.total, s.title)),
        "never_resolve": never,
        "never_count": never_count,
        "detail": detail,
        "detail_checks": sorted(shown, key=lambda c: (c.position, c.key)),
    }


def _checks(rows):
    return [
        CheckStats(
            symptom_id=row["symptom_id"],
            key=row["key"],
            title=row["key"],
            runs=row["runs_sum"],
            problems=row["problems_sum"],
            resolved=row["resolved_sum"],
        )
        for row in rows
    ]


def _name_checks(checks):
    """Titles and order from the playbook as it is now (one query); a retired check keeps
    its key as its name."""
    wanted = {}
    for stats in checks:  # one check can be both flagged and in the detail table
        wanted.setdefault((stats.symptom_id, stats.key), []).append(stats)
    if not wanted:
        return
    playbook = Check.objects.filter(symptom_id__in={c.symptom_id for c in checks}).values_list(
        "symptom_id", "key", "title", "position"
    )
    for symptom_id, key, title, position in playbook:
        for stats in wanted.get((symptom_id, key), []):
            stats.title, stats.position = title, position


@dataclass
class Bar:
    outcome: str
    label: str
    count: int
    x: float
    width: float


@dataclass
class ChartRow:
    title: str
    total: int
    y: int
    bars: list


TOP = 25  # symptoms in the chart and table, unless all are asked for
NEVER_SHOWN = 50  # checks listed as never resolving; a young portal has many
ROW_HEIGHT = 48
CHART_WIDTH = 600


def chart(symptoms):
    """Stacked bars of outcome shares, one row per symptom: a label above a bar as wide as
    the chart, split by outcome (SVG user units; the SVG scales to the page)."""
    rows = []
    for i, symptom in enumerate(symptoms):
        x, bars = 0.0, []
        for outcome, label, count, _ in symptom.shares:
            width = CHART_WIDTH * count / symptom.total if symptom.total else 0
            bars.append(Bar(outcome, label, count, round(x, 3), round(width, 3)))
            x += width
        rows.append(ChartRow(symptom.title, symptom.total, i * ROW_HEIGHT, bars))
    return {"rows": rows, "height": len(rows) * ROW_HEIGHT, "width": CHART_WIDTH}


STEP_WORDS = {
    "end": "Past the last check",
    "outcome:resolved": "End: Resolved",
    "outcome:not_resolved": "End: Not resolved",
    "outcome:escalated": "End: Escalated",
}


def add_steps(checks, step_rows):
    """Where people went after each check of a branched symptom and where they stopped, from
    the step tallies `step_rows` (one query, and one for the titles of symptoms people
    continued with): each check's `went` lists its next steps, most taken first, as (words,
    count, percent of the times people reached it)."""
    by_key = {check.key: check for check in checks}
    titles = {check.key: check.title for check in checks}
    totals = {}
    rows = list(step_rows.values("key", "to").annotate(n=Sum("count")).order_by())
    linked = {row["to"][len("symptom:") :] for row in rows if row["to"].startswith("symptom:")}
    symptom_titles = (
        dict(Symptom.objects.filter(key__in=linked).values_list("key", "title")) if linked else {}
    )
    for row in rows:
        totals[row["key"]] = totals.get(row["key"], 0) + row["n"]
    for row in sorted(rows, key=lambda r: (-r["n"], r["to"])):
        check = by_key.get(row["key"])
        if check is None or not row["n"]:
            continue  # a retired check: its steps are history the table no longer lists
        if row["to"] == "stopped":
            check.stopped = row["n"]
            continue
        kind, _, target = row["to"].partition(":")
        if kind == "check":
            words = f"→ {titles.get(target, target)}"
        elif kind == "symptom":
            words = f"Continued with “{symptom_titles.get(target, target)}”"
        else:
            words = STEP_WORDS.get(row["to"], row["to"])
        check.went.append((words, row["n"], round(100 * row["n"] / totals[row["key"]])))
    return any(check.went or check.stopped for check in checks)
