"""Masking at capture: sensitive values in what people type (notes, summaries, comments,
ticket references) are replaced by a marker before anything is stored, so they never reach
the database, the webhooks or the logs.

Built in: payment card numbers (Luhn-checked, with spaces or dashes), e-mail addresses,
IBANs (checksum-checked) and secrets that look like API keys or tokens. Admins add their own
patterns; those run with a time limit, so a pattern that backtracks for ever cannot stall a
request: text it cannot finish with is withheld whole rather than stored unmasked.
"""

import regex
from django import forms

# Seconds one admin's pattern may take on one text (wall-clock, so generous: a busy machine
# must not withhold text). The built-in patterns are bounded and run without a limit.
TIMEOUT = 0.5
WITHHELD = "[text removed: it could not be checked for sensitive values]"


def luhn_ok(digits):
    total = 0
    for i, digit in enumerate(reversed(digits)):
        n = int(digit)
        if i % 2:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


def iban_ok(text):
    compact = text.replace(" ", "").upper()
    rearranged = compact[4:] + compact[:4]
    number = "".join(str(int(c, 36)) for c in rearranged)
    return int(number) % 97 == 1


CARD_LENGTHS = range(13, 20)  # card numbers have 13 to 19 digits
IBAN_MIN = 15  # Norway's, the shortest


def mask_cards(text, marker):
    """Each run of digit groups loses the card number in it: the whole run, or the groups at
    its start or end, when they hold 13-19 digits, start as card numbers do (2-6) and pass
    the Luhn check. So "4111 1111 1111 1111 123" (a CVV after it) or "... 12/26" (an expiry)
    still loses the number, while a 16-digit order number failing the check, or a phone
    number starting 0, is kept."""

    def replace(match):
        run = match.group()
        groups = [(g.start(), g.end()) for g in regex.finditer(r"\d+", run)]
        spans = [
            (groups[i][0], groups[j - 1][1])
            for i in range(len(groups))
            for j in range(len(groups), i, -1)
            if i == 0 or j == len(groups)  # the whole run, a head or a tail of it
        ]
        for start, end in sorted(spans, key=lambda span: span[0] - span[1]):  # longest first
            digits = regex.sub(r"\D", "", run[start:end])
            if len(digits) in CARD_LENGTHS and digits[0] in "23456" and luhn_ok(digits):
                return run[:start] + marker + run[end:]
        return run

    return CARD_RUN.sub(replace, text)


def mask_ibans(text, marker):
    """Each candidate loses its longest stretch with a valid IBAN checksum, so a word typed
    after one ("BE68 5390 0754 7034 thanks") does not save it."""

    def replace(match):
        candidate = match.group()
        for end in range(len(candidate), 0, -1):
            head = candidate[:end]
            if head.endswith(" ") or len(head.replace(" ", "")) < IBAN_MIN:
                continue
            if iban_ok(head):
                return marker + candidate[end:]
        return candidate

    return IBAN_RUN.sub(replace, text)


# Digits with up to three separators between them: spaces, tabs, no-break spaces, dots,
# commas, slashes, underscores, dashes, soft hyphens and zero-width spaces.
CARD_RUN = regex.compile(
    r"(?<!\d)\d(?:[ \t\u00a0.,/_\-\u2010-\u2015\u00ad\u200b]{0,3}\d){12,}(?!\d)"
)
IBAN_RUN = regex.compile(r"\b[A-Z]{2}\d{2}(?: {0,3}[A-Z0-9]{1,4}){3,9}\b", regex.I)


# name: (label, pattern, check of a match or None, marker)
BUILTINS = {
    "iban": ("IBANs (bank account numbers)", mask_ibans, None, "[IBAN removed]"),
    "card": ("Payment card numbers", mask_cards, None, "[card number removed]"),
    "email": (
        "E-mail addresses",
        regex.compile(
            r"(?<![\w.+-])[\w.+-]{1,200}[@＠][\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*"
            r"\.(?:xn--[a-z0-9-]+|\p{L}{2,})",
            regex.I,
        ),
        None,
        "[e-mail address removed]",
    ),
    "secret": (
        "API keys, tokens and passwords",
        regex.compile(
            r"""
            \b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}      # Stripe secret keys
            | \bgh[pousr]_[A-Za-z0-9]{30,}                  # GitHub tokens
            | \bgithub_pat_[A-Za-z0-9_]{30,}
            | \bxox[abprs]-[A-Za-z0-9-]{10,}                 # Slack tokens
            | \bAKIA[0-9A-Z]{16}\b                           # AWS access key ids
            | \bAIza[0-9A-Za-z_-]{35}                        # Google API keys
            | \bwhsec_[A-Za-z0-9+/=]{20,}                    # webhook secrets
            | \beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}  # JWTs
            | (?<=\bBearer\s)[A-Za-z0-9._~+/-]{16,}=*        # Authorization: Bearer ...
            | (?<=\b(?:api[_-]?key|secret|token|password|passwd|pwd)\s{0,3}[:=]\s{0,3})
              [^\s,;]{6,}                                    # password: ..., token=...
            | (?-i:\b(?=[\w-]*[A-Z])(?=[\w-]*[a-z])(?=[\w-]*\d)[A-Za-z0-9_-]{32,}\b)
              # 32+ characters mixing upper and lower case and digits (not a hex hash)
            """,
            regex.I | regex.X,
        ),
        None,
        "[secret removed]",
    ),
}


REPEAT = regex.compile(r"\{\s*(\d+)\s*(?:,\s*(\d*)\s*)?\}")
# Long texts that make a backtracking pattern slow: a rule must get through each quickly.
PROBES = ["a" * 2000 + "!", "1" * 2000 + "x", "a1 " * 700 + "!", "@." * 1000]
PROBE_TIME = 0.1  # seconds, on each probe


def compile_custom(pattern, *, probe=True):
    """An admin's pattern, compiled; ValueError with the reason when it is not safe to run.
    Refused: long patterns, repetition counts over 1000 (a{10000000} takes gigabytes to
    compile), patterns that match empty text, and, when `probe`, patterns that backtrack
    for too long on long text."""
    if len(pattern) > 200:
        raise ValueError("is longer than 200 characters")
    for found in REPEAT.finditer(pattern):
        if any(n and int(n) > 1000 for n in found.groups()):
            raise ValueError("repeats something more than 1000 times")
    try:
        compiled = regex.compile(pattern)
    except (regex.error, OverflowError, MemoryError, RecursionError) as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from exc
    if not probe:
        return compiled
    try:
        if compiled.search("", timeout=PROBE_TIME):
            raise ValueError("matches empty text, so it would mark every gap between letters")
        for text in PROBES:
            compiled.search(text, timeout=PROBE_TIME)
    except TimeoutError as exc:
        raise ValueError(
            "takes too long on long text (it backtracks): make it more specific"
        ) from exc
    return compiled


def rules():
    """The enabled rules as (pattern, check, marker, timeout), built-ins first (one query).
    A built-in rule is on unless its row says it is off: masking never depends on rows a
    restored or flushed database might lack."""
    from diagnostics.privacy.models import MaskingRule

    saved = list(MaskingRule.objects.all())
    off = {rule.builtin for rule in saved if rule.builtin and not rule.enabled}
    markers = {rule.builtin: rule.marker for rule in saved if rule.builtin}
    found = [
        (pattern, check, markers.get(name) or marker, None)
        for name, (_, pattern, check, marker) in BUILTINS.items()
        if name not in off
    ]
    for rule in saved:
        if rule.builtin or not rule.enabled:
            continue
        if rule.pattern:
            try:
                found.append(
                    (compile_custom(rule.pattern, probe=False), None, rule.marker, TIMEOUT)
                )
            except ValueError:
                continue  # saved before it was checked: the rule page says it is invalid
    return found


def apply(text, active):
    """`text` with every match of the `active` rules replaced by its marker."""
    for pattern, check, marker, timeout in active:
        if callable(pattern) and not hasattr(pattern, "sub"):
            text = pattern(text, marker)  # a built-in that checks what it finds
            continue

        def replace(match, check=check, marker=marker):
            return marker if check is None or check(match) else match.group()

        try:
            text = pattern.sub(replace, text, timeout=timeout)
        except TimeoutError:
            return WITHHELD
    return text


def mask(text, active=None):
    """Mask `text` with the enabled rules. Empty text costs no query."""
    if not text or not text.strip():
        return text
    return apply(text, rules() if active is None else active)


class MaskedCharField(forms.CharField):
    """A text field whose cleaned value is already masked: what a form saves never held the
    sensitive value. The result is cut to `max_length` (a marker can be longer than what it
    replaced)."""

    def clean(self, value):
        value = mask(super().clean(value))
        if self.max_length and value and len(value) > self.max_length:
            value = value[: self.max_length]
        return value
