"""Which checks a branched diagnosis walks: the path its answers lead along (playbook
schema 2), computed from the checks' rules and the answers given, never stored, so changing an
earlier answer simply leads along another path.

A check is one of:
- on the path: answered, or the next one to answer;
- skipped: a jump went past it (it does not count as unanswered);
- no longer on the path: answered, but an earlier answer changed and the path left it (its
  answer is kept and shown as not applying, never deleted);
- ahead: not reached yet.
"""

from dataclasses import dataclass, field

ON_PATH, SKIPPED, LEFT, AHEAD = "on_path", "skipped", "left", "ahead"
PENDING = "pending"


@dataclass
class Path:
    states: dict = field(default_factory=dict)  # check key -> ON_PATH, SKIPPED, LEFT or AHEAD
    walked: list = field(default_factory=list)  # keys on the path, in the order walked
    next_key: str | None = None  # the check to answer now, or None when the path ended
    end: dict | None = None  # the rule that ended it: {"outcome": ...} or {"symptom": ...}

    @property
    def finished(self):
        return self.next_key is None

    def unanswered(self, answers):
        """Keys on the path still waiting for an answer (at most the next one)."""
        return [key for key in self.walked if answers.get(key, PENDING) == PENDING]


def evaluate(checks, answers):
    """The path through `checks` (objects with `key` and `rules`, in order) that `answers`
    ({key: "ok" | "problem" | "na" | "pending"}) lead along. Without rules it is every check
    in order, as in a version 1 playbook."""
    index = {check.key: i for i, check in enumerate(checks)}
    path = Path()
    seen = set()
    current = 0 if checks else None
    furthest = -1
    while current is not None and current not in seen:  # the reader refuses cycles; be safe
        seen.add(current)
        check = checks[current]
        path.walked.append(check.key)
        furthest = max(furthest, current)
        answer = answers.get(check.key, PENDING)
        if answer == PENDING:
            path.next_key = check.key
            break
        rule = (check.rules or {}).get(answer)
        if rule is None:
            current = current + 1 if current + 1 < len(checks) else None
        elif "goto" in rule and rule["goto"] in index:
            current = index[rule["goto"]]
        else:
            path.end = rule
            current = None
    on_path = set(path.walked)
    for i, check in enumerate(checks):
        if check.key in on_path:
            state = ON_PATH
        elif answers.get(check.key, PENDING) != PENDING:
            state = LEFT
        elif path.finished or i < furthest:
            state = SKIPPED
        else:
            state = AHEAD
        path.states[check.key] = state
    return path
