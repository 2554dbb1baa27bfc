"""What resolves what: outcome shares per symptom and what each check finds and fixes.

Counted by the database in three GROUP BY queries, whatever the number of cases; this module
only arranges the counts for the page and works out the chart's geometry."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from diagnostics.models import Check, CheckResult, Outcome, ResultStatus


@dataclass
class CheckStats:
    key: str
    title: str
    runs: int = 0
    problems: int = 0
    resolved: int = 0

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
    checks: list = field(default_factory=list)

    def share(self, count):
        return round(100 * count / self.total) if self.total else 0

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


def report(cases):
    """Per symptom with saved cases among `cases`: outcome counts and per-check stats,
    most cases first."""
    per_symptom = {
        row["symptom_id"]: SymptomStats(
            symptom_id=row["symptom_id"],
            title=row["symptom__title"],
            total=row["total"],
            resolved=row["resolved"],
            not_resolved=row["not_resolved"],
            escalated=row["escalated"],
        )
        for row in cases.values("symptom_id", "symptom__title")
        .annotate(
            total=Count("id"),
            resolved=Count("id", filter=Q(outcome=Outcome.RESOLVED)),
            not_resolved=Count("id", filter=Q(outcome=Outcome.NOT_RESOLVED)),
            escalated=Count("id", filter=Q(outcome=Outcome.ESCALATED)),
        )
        .order_by()
    }
    checks = {}
    results = (
        CheckResult.objects.filter(session__case__in=cases)
        .values("session__symptom_id", "key")
        .annotate(runs=Count("id"), problems=Count("id", filter=Q(status=ResultStatus.PROBLEM)))
        .order_by()
    )
    for row in results:
        checks[row["session__symptom_id"], row["key"]] = CheckStats(
            key=row["key"], title=row["key"], runs=row["runs"], problems=row["problems"]
        )
    resolving = (
        cases.filter(outcome=Outcome.RESOLVED)
        .values("symptom_id", "resolved_by__key")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in resolving:
        stats = checks.get((row["symptom_id"], row["resolved_by__key"]))
        if stats:
            stats.resolved = row["n"]
    # Titles and order from the playbook as it is now; a retired check keeps its key.
    playbook = Check.objects.filter(symptom_id__in=per_symptom).values_list(
        "symptom_id", "key", "title", "position"
    )
    order = {}
    for symptom_id, key, title, position in playbook:
        if (symptom_id, key) in checks:
            checks[symptom_id, key].title = title
        order[symptom_id, key] = position
    for (symptom_id, _key), stats in sorted(
        checks.items(), key=lambda item: (order.get(item[0], 1_000), item[0][1])
    ):
        if symptom_id in per_symptom:
            per_symptom[symptom_id].checks.append(stats)
    return sorted(per_symptom.values(), key=lambda s: (-s.total, s.title))


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
