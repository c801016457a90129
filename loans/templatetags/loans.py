from django import template

from hami.text import is_persian, localise_digits
from loans.models import State
from loans.sizing import LIMIT_LABELS
from loans.workflow import Action

register = template.Library()

BADGES = {
    State.DRAFT: "text-bg-light border",
    State.SUBMITTED: "text-bg-info",
    State.RECOMMENDED: "text-bg-info",
    State.APPROVED: "text-bg-primary",
    State.REJECTED: "text-bg-danger",
    State.DISBURSED: "text-bg-primary",
    State.REPAYING: "text-bg-success",
    State.REPAID: "text-bg-success",
    State.WITHDRAWN: "text-bg-secondary",
    State.DEFAULTED: "text-bg-danger",
}


@register.filter
def loan_action_label(action: str) -> str:
    return Action(action).label if action in Action.values else action


@register.filter
def limit_label(kind: str) -> str:
    return LIMIT_LABELS.get(kind, kind)


@register.inclusion_tag("loans/includes/state_badge.html")
def loan_state_badge(state: str):
    label = State(state).label if state in State.values else ""
    return {"state": state, "label": label, "css": BADGES.get(state, "text-bg-light")}


@register.filter
def person(user, empty="—"):
    """A user's full name, or username; `empty` when there is no user."""
    if user is None:
        return empty
    return user.get_full_name() or user.username


@register.filter
def percent(ratio):
    """A ratio as a percentage with one decimal (`۱۲٫۵٪`); `—` when there is none."""
    if ratio is None:
        return "—"
    text = f"{ratio * 100:.1f}"
    if is_persian():
        return localise_digits(text).replace(".", "٫") + "٪"
    return text + "%"


@register.filter
def get(mapping, key):
    return mapping.get(key)


@register.simple_tag
def client_plans(client):
    """The client's business plans, each with its application (`plan.loan`) if any."""
    from loans.models import BusinessPlan, LoanApplication

    plans = list(BusinessPlan.objects.filter(client=client).order_by("-created_at"))
    applications = {
        a.plan_id: a for a in LoanApplication.objects.filter(plan__in=[p.pk for p in plans])
    }
    for plan in plans:
        plan.loan = applications.get(plan.pk)
    return plans
