"""``{% territory_projects place as projects %}``: the projects registered on a territory.

A project is there when it names the territory among its territories, or when one of its
points lies in it (the point's municipality, stored when the point is saved). Projects live
in an app above this one, so their models are reached through the reverse relation, never
imported; one query whatever the number of projects, each with its pact joined.
"""

from __future__ import annotations

from django import template
from django.db.models import Q

register = template.Library()


@register.simple_tag
def territory_projects(place):
    projects = place.projects.model
    by_name = projects.territories.through.objects.filter(territory=place)
    by_point = projects._meta.get_field("places").related_model.objects.filter(territory=place)
    return projects.objects.filter(
        Q(pk__in=by_name.values("project_id")) | Q(pk__in=by_point.values("project_id"))
    ).select_related("pact").order_by("pact__code", "title")
