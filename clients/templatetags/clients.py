from django import template

from clients.models import State
from clients.workflow import Action, can

register = template.Library()


@register.filter
def state_label(state: str) -> str:
    """The words for an enrolment state stored as its code (annotations carry codes)."""
    return State(state).label if state in State.values else ""


@register.filter
def action_label(action: str) -> str:
    return Action(action).label if action in Action.values else action


@register.filter
def allows(enrolment, action: str) -> bool:
    """Whether the transition table allows `action` on `enrolment` now
    (`{% if enrolment|allows:"confirm_seat" %}`); the user's right is `{% may %}`'s."""
    return can(enrolment, Action(action))


@register.inclusion_tag("clients/includes/state_badge.html")
def state_badge(state: str):
    return {"state": state, "label": state_label(state)}
