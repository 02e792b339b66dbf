"""``{% group_rollup cluster=... %}`` / ``{% group_rollup challenge=... %}``: the stored
progress of a cluster's or challenge's projects, for the pact's pages.

The pact's pages sit below projects: this tag, loaded by their templates, reads the roll-up
that the projects' services stored (one query) and renders it with its chart.
"""

from __future__ import annotations

from django import template

from patto.projects.selectors import group_progress

register = template.Library()


@register.inclusion_tag("projects/_group_rollup.html")
def group_rollup(cluster=None, challenge=None):
    return {
        "progress": group_progress(cluster=cluster, challenge=challenge),
        "chart_id": "group-rollup",
    }
