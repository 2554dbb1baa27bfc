from django.urls import reverse


def navigation(request):
    """The main menu: only what the signed-in person may open. No queries for customers;
    for staff, their permissions load once per request."""
    user = getattr(request, "user", None)  # absent when a request fails before sign-in runs
    if user is None:
        return {"nav_items": [{"label": "Symptoms", "url": "/", "current": False}]}
    items = [("Symptoms", reverse("diagnostics:symptom_index"))]
    if user.has_perm("diagnostics.run_diagnosis"):
        items.append(("My cases", reverse("diagnostics:my_cases")))
    if user.has_perm("diagnostics.review_case"):
        items.append(("Review", reverse("diagnostics:review_queue")))
    if user.has_perm("diagnostics.manage_playbook"):
        items.append(("Playbook", reverse("diagnostics:playbook")))
    if user.has_perm("diagnostics.manage_webhooks"):
        items.append(("Webhooks", reverse("diagnostics:webhooks")))
    if user.has_perm("diagnostics.manage_privacy"):
        items.append(("Privacy", reverse("diagnostics:privacy")))
    if user.has_perm("diagnostics.view_auditentry"):
        items.append(("Audit log", reverse("diagnostics:audit_log")))
    if user.is_active and user.is_staff and user.has_perm("diagnostics.change_symptom"):
        items.append(("Admin", reverse("admin:index")))
    if user.is_authenticated:
        items.append(("Security", reverse("otp_overview")))
    current = request.path
    return {
        "nav_items": [
            {
                "label": label,
                "url": url,
                "current": current == url or (url != "/" and current.startswith(url)),
            }
            for label, url in items
        ]
    }
