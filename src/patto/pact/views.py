"""Public pages of the pact registry: the pact, parties, territory, clusters, challenges."""

from __future__ import annotations

import datetime as dt

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from patto.core.downloads import download_response, query_key
from patto.core.exports import resource_table

from . import selectors
from .models import Challenge, Cluster, Pact, Party, Territory
from .resources import PartyResource, TerritoryResource

ALL = "tutti"
# 7,900 municipalities were a 1.2 MB page; 100 rows keep a national page light and
# Bologna's 55 on a single page.
MUNICIPALITIES_PER_PAGE = 100


def _pact_or_404(code: str | None = None) -> Pact:
    if code:
        return get_object_or_404(selectors.pact_list(), code=code)
    pact = selectors.pact_default()
    if pact is None:
        raise Http404(_("No pact loaded: run `patto load-pact`."))
    return pact


def home(request: HttpRequest) -> HttpResponse:
    pact = selectors.pact_default()
    if pact is None:
        return render(request, "pact/empty.html", status=200)
    return _pact_page(request, pact)


def pact_detail(request: HttpRequest, pact: str) -> HttpResponse:
    return _pact_page(request, _pact_or_404(pact))


def _pact_page(request: HttpRequest, pact_obj: Pact) -> HttpResponse:
    return render(request, "pact/pact_detail.html", {
        "pact": pact_obj,
        "promoter": selectors.pact_promoter(pact_obj),
        "counts": selectors.pact_counts(pact_obj),
        "categories": selectors.party_categories_with_counts(pact=pact_obj),
        "clusters": pact_obj.clusters.all(),
        "challenges": selectors.challenge_list(pact=pact_obj),
        "instruments": pact_obj.instruments.all(),
        "emergency_actions": pact_obj.emergency_actions.all(),
        "table_duties": pact_obj.table_duties.all(),
        "documents": pact_obj.documents.all(),
        "pacts": selectors.pact_list(),
    })


def party_list(request: HttpRequest) -> HttpResponse:
    # The current pact's parties unless another pact, or all of them ("tutti"), is asked for.
    pact_code = request.GET.get("patto", "")
    if pact_code == ALL:
        pact = None
    elif pact_code:
        pact = get_object_or_404(Pact, code=pact_code)
    else:
        pact = selectors.pact_default()
    category = request.GET.get("categoria", "")
    query = request.GET.get("q", "").strip()
    parties = selectors.party_list(pact=pact, category=category, query=query)
    fmt = request.GET.get("formato")
    if fmt:
        return download_response(request, key=query_key(request, "soggetti"), fmt=fmt,
                                 build=lambda: resource_table(PartyResource(), parties),
                                 filename="soggetti")
    return render(request, "pact/party_list.html", {
        "parties": parties, "pact": pact, "category": category, "query": query,
        "categories": selectors.party_categories_with_counts(pact=pact),
        "pacts": selectors.pact_list(), "all": ALL,
    })


def party_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        party = selectors.party_get(code=code)
    except Party.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "pact/party_detail.html", {"party": party})


def _as_of(request: HttpRequest, pact: Pact) -> dt.date:
    raw = request.GET.get("al", "")
    if not raw:
        return pact.signed_on
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        return pact.signed_on


def territory(request: HttpRequest) -> HttpResponse:
    pact = _pact_or_404(request.GET.get("patto"))
    on = _as_of(request, pact)
    fmt = request.GET.get("formato")
    if fmt:
        def build():
            tree = selectors.territory_tree(root=pact.territory, on=on)
            codes = [n.territory.code for n in tree.municipalities] + [
                g.territory.code for g in tree.groups] + [pact.territory.code]
            return resource_table(TerritoryResource(),
                                  Territory.objects.filter(code__in=codes).defer("boundary"))

        key = f"territorio-{pact.code}-{on.isoformat()}"
        return download_response(request, key=key, fmt=fmt, build=build,
                                 filename="territorio")
    # Plain values, not the tree's model instances: 7,900 municipalities of those took the
    # page longer to read back from the cache than to render.
    overview = selectors.territory_overview(root=pact.territory, on=on)
    group_code = request.GET.get("gruppo", "").strip()
    rows = selectors.overview_rows(overview=overview, group_code=group_code or None)
    page = Paginator(rows, MUNICIPALITIES_PER_PAGE).get_page(request.GET.get("pagina"))
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "pact/territory.html", {
        "pact": pact, "overview": overview, "on": on, "is_pact_date": on == pact.signed_on,
        "page": page, "query": query.urlencode(), "group_code": group_code,
        "unknown_group": bool(group_code) and not rows,
        "boundary_source": Territory.objects.filter(boundary__isnull=False)
        .values_list("boundary_source", flat=True).first(),
    })


def territory_geojson(request: HttpRequest) -> JsonResponse:
    pact = _pact_or_404(request.GET.get("patto"))
    tree = selectors.territory_tree(root=pact.territory, on=_as_of(request, pact))
    return JsonResponse(selectors.territory_boundaries(tree=tree))


def territory_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        place = selectors.territory_get(code=code)
    except Territory.DoesNotExist as exc:
        raise Http404 from exc
    pact = selectors.pact_default()
    on = _as_of(request, pact) if pact else dt.date.today()
    return render(request, "pact/territory_detail.html", {
        "place": place, "on": on, "pact": pact,
        "memberships": selectors.territory_memberships(territory=place),
        "members": selectors.territory_members(territory=place, on=on),
        "parties": place.parties.select_related("category"),
    })


def cluster_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact_obj = _pact_or_404(pact)
    try:
        cluster = selectors.cluster_get(pact=pact_obj, code=code)
    except Cluster.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "pact/cluster_detail.html", {"pact": pact_obj, "cluster": cluster})


def challenge_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact_obj = _pact_or_404(pact)
    try:
        challenge = selectors.challenge_get(pact=pact_obj, code=code)
    except Challenge.DoesNotExist as exc:
        raise Http404 from exc
    return render(request, "pact/challenge_detail.html",
                  {"pact": pact_obj, "challenge": challenge})
