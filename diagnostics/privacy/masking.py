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
TIMEOUT = 1.0
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


def _card(match):
    digits = regex.sub(r"\D", "", match.group())
    return 13 <= len(digits) <= 19 and luhn_ok(digits)


# name: (label, pattern, check of a match or None, marker)
BUILTINS = {
    "card": (
        "Payment card numbers",
        regex.compile(r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])"),
        _card,
        "[card number removed]",
    ),
    "email": (
        "E-mail addresses",
        regex.compile(
            r"(?<![\w.+-])[\w.+-]{1,64}@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)*\.\p{L}{2,}", regex.I
        ),
        None,
        "[e-mail address removed]",
    ),
    "iban": (
        "IBANs (bank account numbers)",
        regex.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", regex.I),
        lambda m: iban_ok(m.group()),
        "[IBAN removed]",
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


def compile_custom(pattern):
    """A custom rule's pattern, compiled; ValueError with the reason when it is not valid."""
    if len(pattern) > 500:
        raise ValueError("is longer than 500 characters")
    try:
        compiled = regex.compile(pattern)
    except regex.error as exc:
        raise ValueError(f"is not a valid regular expression ({exc})") from exc
    if compiled.search("", timeout=TIMEOUT):
        raise ValueError("matches empty text, so it would mark every gap between letters")
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
                found.append((compile_custom(rule.pattern), None, rule.marker, TIMEOUT))
            except ValueError:
                continue  # saved before it was checked: the rule page says it is invalid
    return found


def apply(text, active):
    """`text` with every match of the `active` rules replaced by its marker."""
    for pattern, check, marker, timeout in active:

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
