"""Django finds an app's models in its `models` module. The portal is one app, `diagnostics`,
whose models live with their domain; importing them here registers them all under it."""

from diagnostics.content.models import Category, Check, PlaybookDraft, PlaybookRevision, Symptom
from diagnostics.diagnosis.models import Case, CheckResult, DiagnosticSession
from diagnostics.integrations.models import Attempt, Delivery, Endpoint
from diagnostics.privacy.models import MaskingRule, RetentionSettings
from diagnostics.review.models import Comment
from diagnostics.review.tallies import (
    CheckDay,
    CheckTotal,
    StepDay,
    StepTotal,
    SymptomDay,
    SymptomTotal,
)
from diagnostics.staff.models import AuditEntry, SecuritySettings
from diagnostics.throttle import Throttle

__all__ = [
    "Attempt",
    "AuditEntry",
    "Case",
    "Category",
    "Check",
    "CheckDay",
    "CheckResult",
    "CheckTotal",
    "Comment",
    "Delivery",
    "DiagnosticSession",
    "Endpoint",
    "MaskingRule",
    "PlaybookDraft",
    "PlaybookRevision",
    "RetentionSettings",
    "SecuritySettings",
    "StepDay",
    "StepTotal",
    "Symptom",
    "SymptomDay",
    "SymptomTotal",
    "Throttle",
]
