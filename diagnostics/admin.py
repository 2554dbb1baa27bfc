"""Django's admin finds an app's `admin` module: each domain registers its own models."""

from diagnostics.content import admin as content_admin
from diagnostics.diagnosis import admin as diagnosis_admin
from diagnostics.staff import admin as staff_admin

__all__ = ["content_admin", "diagnosis_admin", "staff_admin"]
