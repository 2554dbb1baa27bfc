"""A symptom's flow as a small diagram drawn on the server (SVG, no script): its checks in
order as boxes, the next check below each, jumps as arrows curving round the left side, and
what ends a path (an outcome, another symptom) written to the right of the check.

`diagram(checks, symptom_titles)` returns plain numbers and strings; the template draws them.
"""

from dataclasses import dataclass, field

from diagnostics.content.playbook_schema import ANSWER_LABELS, ANSWERS, OUTCOME_LABELS

ROW = 64  # vertical distance between checks
BOX_W, BOX_H = 320, 40
LANE = 18  # horizontal room per jump arrow, left of the boxes
TOP = 12
TITLE_CHARS = 40


@dataclass
class Box:
    x: int
    y: int
    number: int
    title: str  # shortened to fit
    full_title: str
    ends: list = field(default_factory=list)  # (text, y) written right of the box
    width: int = BOX_W
    height: int = BOX_H

    @property
    def text_x(self):
        return self.x + 10

    @property
    def text_y(self):
        return self.y + 25

    @property
    def end_x(self):
        return self.x + BOX_W + 10


@dataclass
class Arrow:
    d: str  # the SVG path
    label: str
    label_x: int
    label_y: int
    kind: str  # "next" or "jump"


@dataclass
class Diagram:
    width: int
    height: int
    boxes: list
    arrows: list
    description: str  # the whole flow in words, for screen readers

    @property
    def branched(self):
        return any(arrow.kind == "jump" for arrow in self.arrows) or any(
            box.ends for box in self.boxes
        )


def shorten(text, limit=TITLE_CHARS):
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def answers_label(answers):
    return ", ".join(ANSWER_LABELS[a] for a in answers)


def diagram(checks, symptom_titles=None):
    """The flow of `checks` (objects with key, title and rules, in order)."""
    symptom_titles = symptom_titles or {}
    index = {check.key: i for i, check in enumerate(checks)}
    jumps = []  # (from, to, answers)
    falls = []  # (from, answers that go on to the next check)
    ends = []  # (from, answers, text)
    for i, check in enumerate(checks):
        by_target = {}
        for answer in ANSWERS:
            rule = (check.rules or {}).get(answer)
            if rule is None:
                target = ("next",)
            elif "goto" in rule and rule["goto"] in index:
                target = ("goto", index[rule["goto"]])
            elif "outcome" in rule:
                target = ("end", OUTCOME_LABELS.get(rule["outcome"], rule["outcome"]))
            elif "symptom" in rule:
                title = symptom_titles.get(rule["symptom"], rule["symptom"])
                target = ("end", f"continue with “{shorten(title, 36)}”")
            else:
                continue
            by_target.setdefault(target, []).append(answer)
        for target, answers in by_target.items():
            if target[0] == "next" and i + 1 < len(checks):
                falls.append((i, answers))
            elif target[0] == "goto":
                jumps.append((i, target[1], answers))
            elif target[0] == "end":
                ends.append((i, answers, target[1]))

    left = 12 + LANE * len(jumps)
    boxes = [
        Box(left, TOP + i * ROW, i + 1, shorten(check.title), check.title)
        for i, check in enumerate(checks)
    ]
    for i, answers, text in ends:
        boxes[i].ends.append(f"{answers_label(answers)} → {text}")
    for box in boxes:  # several ends of one check share its row, one line each
        box.ends = [(text, box.y + 14 + n * 14) for n, text in enumerate(box.ends)]

    arrows = []
    branched = bool(jumps or ends)
    for i, answers in falls:
        x = left + BOX_W // 2
        top, bottom = boxes[i].y + BOX_H, boxes[i + 1].y
        label = answers_label(answers) if branched and len(answers) < len(ANSWERS) else ""
        arrows.append(Arrow(f"M{x},{top} L{x},{bottom - 2}", label, x + 8, top + 15, "next"))
    for lane, (i, j, answers) in enumerate(sorted(jumps, key=lambda jump: abs(jump[1] - jump[0]))):
        x_out = left - 12 - lane * LANE
        y1, y2 = boxes[i].y + BOX_H // 2, boxes[j].y + BOX_H // 2
        d = f"M{left},{y1} C{x_out},{y1} {x_out},{y2} {left - 2},{y2}"
        arrows.append(Arrow(d, answers_label(answers), left + 6, y1 + BOX_H // 2 + 13, "jump"))

    widest_end = max((len(t) for b in boxes for t, _ in b.ends), default=0)
    width = left + BOX_W + (24 + widest_end * 8 if widest_end else 12)  # ~8 units a letter
    height = TOP + len(checks) * ROW
    return Diagram(width, height, boxes, arrows, describe(checks, symptom_titles))


def rules_in_words(check, titles):
    """(answer, what follows) for each rule of `check`, with titles from `titles` (keyed
    ("check", key) and ("symptom", key)): ("Problem found", "go to “Fix the URL”")."""
    said = []
    for answer in ANSWERS:
        if not (rule := (check.rules or {}).get(answer)):
            continue
        ((kind, target),) = ((k, v) for k, v in rule.items() if k != "title")
        if kind == "goto":
            text = f"go to “{titles.get(('check', target), target)}”"
        elif kind == "outcome":
            text = f"end: {OUTCOME_LABELS.get(target, target)}"
        else:
            text = f"continue with “{titles.get(('symptom', target), target)}”"
        said.append((ANSWER_LABELS[answer], text))
    return said


def describe(checks, symptom_titles):
    """The flow in words, for screen readers: "1. Verify the URL (Problem found: go to
    “Fix the URL”) 2. ..."."""
    titles = {("check", c.key): c.title for c in checks}
    titles |= {("symptom", key): title for key, title in symptom_titles.items()}
    lines = []
    for i, check in enumerate(checks):
        said = "; ".join(f"{answer}: {text}" for answer, text in rules_in_words(check, titles))
        lines.append(f"{i + 1}. {check.title}" + (f" ({said})" if said else ""))
    return " ".join(lines)
