from django import template

from portico.core.transitions import REGISTRY

register = template.Library()


@register.filter
def state_label(value: str) -> str:
    """The human label of a state code from any state machine ("not_invited" → "Not invited")."""
    for machine in REGISTRY.values():
        if value in machine.states.values:
            return machine.label(value)
    return value
