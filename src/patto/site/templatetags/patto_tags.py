"""Template tags of the public shell: language switch, Markdown rendering, number formatting."""

import datetime as dt

import markdown as md
import nh3
from django import template
from django.urls import translate_url
from django.utils.formats import date_format
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def language_url(context, language_code: str) -> str:
    """The current page in another language (Italian without prefix, English under /en/)."""
    request = context["request"]
    return translate_url(request.get_full_path(), language_code)


@register.filter
def markdown(text: str) -> str:
    """Markdown from a pact package, rendered and then sanitised: no raw HTML gets through."""
    # Texts sit under a page section (h2): their own headings start at h3.
    html = md.markdown(
        text or "",
        extensions=["extra", "sane_lists", "toc"],
        extension_configs={"toc": {"baselevel": 3}},
    )
    return mark_safe(nh3.clean(html))  # noqa: S308 - sanitised by nh3 just above


@register.filter
def as_date(value, format_string: str = "j M Y"):
    """A date kept as ISO text (a report's records, JSON) as the page's language writes it
    ("2 mar 2026"); anything that is not such a date is shown as it is."""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, dt.date):
        return date_format(value, format_string)
    return value
