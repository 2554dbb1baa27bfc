"""The admins' privacy page, /settings/privacy/: masking rules and retention."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from diagnostics.http import post_only
from diagnostics.privacy import retention
from diagnostics.privacy.forms import MaskingRuleForm, RetentionForm
from diagnostics.privacy.models import MaskingRule, RetentionSettings
from diagnostics.staff.audit import record
from diagnostics.staff.roles import staff_page

privacy_page = staff_page("diagnostics.manage_privacy")


def to_privacy(*args):
    return reverse("diagnostics:privacy")


def render_privacy(request, *, rule_form=None, retention_form=None, tested=None, status=200):
    policy = RetentionSettings.get()
    context = {
        "rules": MaskingRule.with_builtins(),
        "rule_form": rule_form or MaskingRuleForm(),
        "tested": tested,
        "policy": policy,
        "retention_form": retention_form or RetentionForm(instance=policy),
        "would_remove": retention.counts(policy),
    }
    return render(request, "privacy/privacy.html", context, status=status)


@privacy_page
def privacy(request):
    return render_privacy(request)


@privacy_page
@post_only(to_privacy)
def add_rule(request):
    form = MaskingRuleForm(request.POST)
    if not form.is_valid():
        return render_privacy(request, rule_form=form, status=400)
    if "test" in request.POST:
        return render_privacy(request, rule_form=form, tested=form.tested())
    rule = form.save()
    record(request.user, "masking rule added", rule.name, {"pattern": rule.pattern})
    messages.success(
        request, f"Added the rule “{rule.name}”: it applies to text typed from now on."
    )
    return redirect(f"{to_privacy()}#masking")


@privacy_page
@post_only(to_privacy)
def toggle_rule(request, pk):
    rule = get_object_or_404(MaskingRule, pk=pk)
    rule.enabled = request.POST.get("enabled") == "on"
    rule.save(update_fields=["enabled"])
    state = "on" if rule.enabled else "off"
    record(request.user, f"masking rule turned {state}", rule.name)
    messages.success(request, f"“{rule.name}” is {state}.")
    return redirect(f"{to_privacy()}#masking")


@privacy_page
@post_only(to_privacy)
def remove_rule(request, pk):
    rule = get_object_or_404(MaskingRule, pk=pk, builtin="")
    rule.delete()
    record(request.user, "masking rule removed", rule.name, {"pattern": rule.pattern})
    messages.success(request, f"Removed the rule “{rule.name}”.")
    return redirect(f"{to_privacy()}#masking")


@privacy_page
@post_only(to_privacy)
def save_retention(request):
    policy = RetentionSettings.get()
    before = {name: getattr(policy, name) for name in RetentionForm.Meta.fields}
    form = RetentionForm(request.POST, instance=policy)
    if not form.is_valid():
        return render_privacy(request, retention_form=form, status=400)
    form.save()
    after = {name: getattr(policy, name) for name in RetentionForm.Meta.fields}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    record(request.user, "retention changed", "Retention settings", changes)
    messages.success(request, "Saved. The next daily run applies it; a run by hand is below.")
    return redirect(f"{to_privacy()}#retention")


@privacy_page
@post_only(to_privacy)
def run_retention(request):
    done = retention.run()
    record(request.user, "retention run by hand", "Retention", done)
    messages.success(
        request,
        "Retention ran: " + ", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in done.items()) + ".",
    )
    return redirect(f"{to_privacy()}#retention")
