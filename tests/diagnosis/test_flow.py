"""Path evaluation for branched diagnoses, on hand-made checks: what is on the path, skipped,
no longer on it, or ahead, and how the path ends."""

from dataclasses import dataclass, field

from diagnostics.diagnosis.flow import AHEAD, LEFT, ON_PATH, SKIPPED, evaluate


@dataclass
class C:
    key: str
    rules: dict = field(default_factory=dict)


def states(path):
    return "".join({ON_PATH: "o", SKIPPED: "s", LEFT: "x", AHEAD: "."}[s]
                   for s in path.states.values())  # fmt: skip


FIX_FIRST = [
    C("a", {"problem": {"goto": "d"}}),
    C("b"),
    C("c"),
    C("d", {"ok": {"outcome": "resolved"}}),
]


def test_without_rules_every_check_is_on_the_path_in_order():
    checks = [C("a"), C("b"), C("c")]
    path = evaluate(checks, {})
    assert (path.walked, path.next_key, states(path)) == (["a"], "a", "o..")
    path = evaluate(checks, {"a": "ok", "b": "na", "c": "problem"})
    assert (path.walked, path.finished, path.end) == (["a", "b", "c"], True, None)


def test_a_problem_found_jumps_to_the_fix_and_the_checks_between_are_skipped():
    path = evaluate(FIX_FIRST, {"a": "problem"})
    assert (path.walked, path.next_key, states(path)) == (["a", "d"], "d", "osso")
    assert path.unanswered({"a": "problem"}) == ["d"]  # skipped checks are not unanswered


def test_an_outcome_rule_ends_the_path():
    path = evaluate(FIX_FIRST, {"a": "problem", "d": "ok"})
    assert path.finished
    assert path.end == {"outcome": "resolved"}


def test_a_symptom_rule_ends_the_path_with_where_to_continue():
    checks = [C("a", {"na": {"symptom": "dns-errors"}}), C("b")]
    path = evaluate(checks, {"a": "na"})
    assert (path.end, states(path)) == ({"symptom": "dns-errors"}, "os")


def test_changing_an_earlier_answer_leaves_later_answers_marked_not_deleted():
    answers = {"a": "problem", "d": "ok"}
    answers["a"] = "ok"  # the customer changes their mind: no jump now
    path = evaluate(FIX_FIRST, answers)
    assert path.walked == ["a", "b"]
    assert states(path) == "oo.x"  # d's answer is kept, shown as no longer on the path
    assert answers["d"] == "ok"


def test_checks_past_the_next_one_are_ahead_not_skipped():
    checks = [C("a"), C("b", {"ok": {"goto": "d"}}), C("c"), C("d")]
    assert states(evaluate(checks, {"a": "ok"})) == "oo.."
    assert states(evaluate(checks, {"a": "ok", "b": "ok"})) == "ooso"


def test_a_cycle_from_an_old_or_hand_made_rule_still_ends():
    checks = [C("a", {"ok": {"goto": "b"}}), C("b", {"ok": {"goto": "a"}})]
    path = evaluate(checks, {"a": "ok", "b": "ok"})
    assert path.walked == ["a", "b"]
