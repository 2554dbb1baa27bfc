"""Counter rows kept by concurrent requests: the insights tallies, the search counts."""

from django.db import IntegrityError, models, transaction


def increment(model, where, counts):
    """Add `counts` to the row `where`, creating it if needed, safely when two requests race
    to create it (the second one's insert fails and it adds to the first one's row)."""
    changes = {name: models.F(name) + value for name, value in counts.items() if value}
    if model.objects.filter(**where).update(**changes):
        return
    try:
        with transaction.atomic():
            model.objects.create(**where, **counts)
    except IntegrityError:
        model.objects.filter(**where).update(**changes)
