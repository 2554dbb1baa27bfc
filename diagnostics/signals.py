"""What happened in the portal, for the parts that act on it (webhooks, the audit log).

Each is sent inside the transaction that made the change, by the one path that makes it, so a
receiver that writes (a delivery, an audit entry) commits or rolls back with the change.
"""

from django.dispatch import Signal

case_saved = Signal()  # case
case_reviewed = Signal()  # case, by
case_answered = Signal()  # case: someone said whether it helped
comment_added = Signal()  # comment
playbook_published = Signal()  # revision
