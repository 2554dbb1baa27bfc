"""The audit log: one small model (`AuditEntry`), written by `record` from the portal's own
pages and commands, and from every change saved through the Django admin (its LogEntry, which
names the person and what changed), so role, people and security changes are in it too."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.core.paginator import Paginator
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.shortcuts import render

from diagnostics import signals
from diagnostics.staff.models import AuditEntry, display_name
from diagnostics.staff.roles import staff_page

ADMIN_ACTIONS = {ADDITION: "added", CHANGE: "changed", DELETION: "deleted"}


def record(user, action, target, details=None):
    """Add an entry: `user` (None for a command or the clock) did `action` to `target`."""
    person = user if getattr(user, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        actor=person,
        actor_name=display_name(person) if person else "system (command or schedule)",
        action=action[:100],
        target=str(target)[:300],
        details=details or {},
    )


@receiver(post_save, sender=LogEntry)
def admin_change(sender, instance, created, **kwargs):
    if not created:
        return
    kind = (
        instance.content_type.model_class()._meta.verbose_name
        if instance.content_type
        else "object"
    )
    record(
        instance.user,
        f"{kind} {ADMIN_ACTIONS.get(instance.action_flag, 'changed')} in the admin",
        instance.object_repr,
        {"change": instance.get_change_message()},
    )


@receiver(signals.playbook_published)
def playbook_published(sender, revision, **kwargs):
    record(
        revision.imported_by,
        "playbook published",
        f"revision {revision.number}",
        {"message": revision.message, "source": revision.source, "counts": revision.counts_text},
    )


@staff_page("diagnostics.view_auditentry")
def audit_log(request):
    entries = Paginator(AuditEntry.objects.select_related("actor"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "staff/audit.html", {"entries": entries})
