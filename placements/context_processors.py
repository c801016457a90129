"""The navbar's follow-up count for centre users: read once per page, only when the
navbar shows it (lazy), in one query."""

from django.utils.functional import SimpleLazyObject

from .selectors import follow_up_counts


def follow_ups(request):
    principal = getattr(request, "principal", None)
    centre = getattr(principal, "centre", None)
    if centre is None:
        return {}
    return {"follow_up_counts": SimpleLazyObject(lambda: follow_up_counts(centre))}
