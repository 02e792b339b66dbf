"""``{% territory_projects place as projects %}``: the projects registered on a territory.

Projects live in an app above this one; the reverse relation is read here, with each
project's pact joined, in one query whatever the number of projects.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def territory_projects(place):
    return place.projects.select_related("pact").order_by("pact__code", "title")
