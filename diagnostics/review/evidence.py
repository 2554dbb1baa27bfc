"""Evidence for editors: what the saved cases say about the content, as flags with their
numbers, and a symptom's outcomes before and after a revision.

- A check that found no problem in its last runs, or that is mostly "not applicable": from
  each symptom's newest cases (`RECENT` of them), for the symptoms a page lists, in one query
  whatever the number of cases (it walks the index on symptom and saving time).
- A symptom often escalated, or often said not to have helped: from the tallies.
- Searches that found nothing: from the search counts.
"""

import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q

from diagnostics.content.models import Check
from diagnostics.diagnosis.models import Case, CheckResult, Helped, Outcome, ResultStatus

RECENT = 20  # each symptom's newest cases that the check flags read
SHOWN = 50  # flags a page lists; the rest are counted
MAX_SYMPTOMS = 100  # symptoms whose checks one page flags (the ones it lists, most cases first)
MIN_RUNS = 10  # fewer answered runs than this say nothing either way
NOT_APPLICABLE_SHARE = 50  # percent of runs answered "not applicable"
MIN_CASES = 10  # a symptom's cases before its escalation share means anything
ESCALATED_SHARE = 30
MIN_ANSWERS = 5
DID_NOT_HELP_SHARE = 50


@dataclass
class Flag:
    kind: str  # never_found, not_applicable, escalated, did_not_help
    symptom_id: int
    text: str
    count: int
    total: int
    check_key: str = ""
    check_title: str = ""
    symptom_title: str = ""
    symptom_key: str = ""

    LABELS = {
        "never_found": "Never finds a problem",
        "not_applicable": "Mostly not applicable",
        "escalated": "Often escalated",
        "did_not_help": "Often did not help",
    }

    @property
    def label(self):
        return self.LABELS[self.kind]

    @property
    def percent(self):
        return round(100 * self.count / self.total) if self.total else 0


def check_flags(symptom_ids):
    """Flags on the checks of `symptom_ids` (at most MAX_SYMPTOMS of them) from each one's
    newest RECENT cases: checks that found no problem in any of their answered runs, and
    checks mostly answered "not applicable". Two queries (the counts, then the flagged checks'
    titles), whose work is bounded by the symptoms asked about, not by the cases."""
    rows = _recent_runs(list(symptom_ids)[:MAX_SYMPTOMS])
    flags = []
    for symptom_id, key, runs, problems, not_applicable in rows:
        if runs < MIN_RUNS:
            continue
        if problems == 0:
            text = f"Found no problem in its last {runs} runs"
            flags.append(Flag("never_found", symptom_id, text, 0, runs, key))
        if 100 * not_applicable >= NOT_APPLICABLE_SHARE * runs:
            text = f"“Not applicable” in {not_applicable} of its last {runs} runs"
            flags.append(Flag("not_applicable", symptom_id, text, not_applicable, runs, key))
    _name(flags)
    return flags


def _recent_runs(symptom_ids):
    """(symptom id, check key, answered runs, problems found, not applicable) over the newest
    RECENT cases of each symptom. Each symptom's newest cases are one short walk down the index
    on symptom and saving time; their results are added up in the same query."""
    if not symptom_ids:
        return []
    case, result = Case._meta.db_table, CheckResult._meta.db_table
    newest = (
        f"SELECT * FROM (SELECT session_id, symptom_id FROM {case} WHERE symptom_id = %s "
        "ORDER BY saved_at DESC, id DESC LIMIT %s) AS newest_{}"
    )
    recent = " UNION ALL ".join(newest.format(i) for i in range(len(symptom_ids)))
    sql = f"""
        SELECT recent.symptom_id, r.key, COUNT(*),
               SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END),
               SUM(CASE WHEN r.status = %s THEN 1 ELSE 0 END)
        FROM ({recent}) recent
        JOIN {result} r ON r.session_id = recent.session_id
        WHERE r.status <> %s
        GROUP BY recent.symptom_id, r.key
    """
    params = [ResultStatus.PROBLEM, ResultStatus.NOT_APPLICABLE]
    for symptom_id in symptom_ids:
        params += [symptom_id, RECENT]
    params.append(ResultStatus.PENDING)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _name(flags):
    """Titles of the flagged checks and their symptoms, as published now: one query."""
    if not flags:
        return
    titles = {
        (symptom_id, key): (title, symptom_title, symptom_key)
        for symptom_id, key, title, symptom_title, symptom_key in Check.objects.filter(
            symptom_id__in={flag.symptom_id for flag in flags}
        ).values_list("symptom_id", "key", "title", "symptom__title", "symptom__key")
    }
    for flag in flags:
        found = titles.get((flag.symptom_id, flag.check_key))
        if found:
            flag.check_title, flag.symptom_title, flag.symptom_key = found
        else:
            flag.check_title = flag.check_key


def surely_at_least(count, total, percent, z=1.96):
    """Whether `count` of `total` shows a share of at least `percent` with 95% confidence
    (the Wilson score interval's lower bound): 4 of 12 is no evidence of a 30% share, 40 of
    100 is. Small samples stop flagging symptoms by chance."""
    if not total:
        return False
    p, n = count / total, total
    centre = p + z * z / (2 * n)
    margin = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return 100 * (centre - margin) / (1 + z * z / n) >= percent


def symptom_flags(symptom_stats):
    """Flags on symptoms from their outcome sums (`insights.SymptomStats`, already read):
    shares surely over their threshold, most sure first."""
    flags = []
    for stats in symptom_stats:
        if stats.total >= MIN_CASES and surely_at_least(
            stats.escalated, stats.total, ESCALATED_SHARE
        ):
            flags.append(
                Flag("escalated", stats.symptom_id,
                     f"Escalated in {stats.escalated} of {stats.total} cases",
                     stats.escalated, stats.total, symptom_title=stats.title,
                     symptom_key=stats.key)
            )  # fmt: skip
        answers = stats.answers
        if answers >= MIN_ANSWERS and surely_at_least(stats.helped_no, answers, DID_NOT_HELP_SHARE):
            flags.append(
                Flag("did_not_help", stats.symptom_id,
                     f"Did not solve the problem in {stats.helped_no} of {answers} answers",
                     stats.helped_no, answers, symptom_title=stats.title,
                     symptom_key=stats.key)
            )  # fmt: skip
    return sorted(flags, key=lambda f: (-f.percent, -f.total))


@dataclass
class Shares:
    """One side of a before/after comparison of a symptom's cases."""

    label: str
    total: int
    resolved: int
    not_resolved: int
    escalated: int
    helped_yes: int
    helped_no: int

    def share(self, count, of=None):
        of = self.total if of is None else of
        return round(100 * count / of) if of else 0

    @property
    def rows(self):
        answers = self.helped_yes + self.helped_no
        return [
            ("Resolved", self.resolved, self.share(self.resolved)),
            ("Not resolved", self.not_resolved, self.share(self.not_resolved)),
            ("Escalated", self.escalated, self.share(self.escalated)),
            ("Said it did not help", self.helped_no, self.share(self.helped_no, answers)),
        ]


def before_and_after(symptom, revision, cases=None):
    """The outcomes of `symptom`'s cases (of `cases`: all by default, or a date range's) run
    on revisions before `revision`, and on it or later: one query. A case run before revisions
    were recorded counts as before."""
    cases = (Case.objects.all() if cases is None else cases).filter(symptom=symptom)
    after = Q(session__revision__number__gte=revision.number)
    sums = {}
    for side, where in (("before", ~after | Q(session__revision__isnull=True)), ("after", after)):
        sums[f"{side}_total"] = Count("id", filter=where)
        for outcome in Outcome:
            sums[f"{side}_{outcome.value}"] = Count("id", filter=where & Q(outcome=outcome))
        for answer in Helped:
            sums[f"{side}_helped_{answer.value}"] = Count("id", filter=where & Q(helped=answer))
    found = cases.aggregate(**sums)
    before, after = (
        Shares(
            label,
            *(found[f"{side}_{name}"] for name in ("total", *Outcome.values)),
            found[f"{side}_helped_yes"],
            found[f"{side}_helped_no"],
        )
        for side, label in (("before", f"Before revision {revision.number}"),
                            ("after", f"Revision {revision.number} and later"))
    )  # fmt: skip
    return Comparison(revision, before, after)


@dataclass
class Comparison:
    revision: object
    before: Shares
    after: Shares

    @property
    def rows(self):
        """(label, count before, percent before, count after, percent after)."""
        return [
            (label, count, percent, *after[1:])
            for (label, count, percent), after in zip(
                self.before.rows, self.after.rows, strict=True
            )
        ]


def for_symptom(symptom):
    """Every flag on one published symptom and its checks, for the editor: three queries."""
    from diagnostics.review.insights import report
    from diagnostics.review.tallies import CheckTotal, SymptomTotal

    stats = report(SymptomTotal.objects.filter(symptom=symptom), CheckTotal.objects.none())
    return symptom_flags(stats["symptoms"]) + check_flags([symptom.pk])
