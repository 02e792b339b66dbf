"""``{% history_panel obj %}``: a record's public history on any page (see pact.history)."""

from __future__ import annotations

from django import template

from patto.pact.history import History, record_history

register = template.Library()


@register.inclusion_tag("pact/_history.html", takes_context=True)
def history_panel(context, obj, history: History | None = None):
    """The latest changes of ``obj``; pass ``history`` when a selector has read it already."""
    user = context.get("user")
    return {
        "history": history if history is not None else record_history(obj),
        "show_people": bool(user and user.is_staff),
        "obj": obj,
    }
