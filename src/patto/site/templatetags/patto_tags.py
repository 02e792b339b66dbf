"""Template tags of the public shell: language switch, Markdown rendering, number formatting."""

import markdown as md
import nh3
from django import template
from django.urls import translate_url
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
    html = md.markdown(text or "", extensions=["extra", "sane_lists", "toc"],
                       extension_configs={"toc": {"baselevel": 3}})
    return mark_safe(nh3.clean(html))  # noqa: S308 - sanitised by nh3 just above
