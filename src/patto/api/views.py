"""The REST API (/api/v1/): public reads of every public record, and the writes that referents
and systems make with a scoped token, through the apps' services.

Reads answer conditional requests: the ETag is derived from the pact's data version
(patto.core.cache), so a client that sends it back gets a 304 before any row is read.
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.utils import translation
from django.utils.http import parse_etags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import exceptions, filters, generics, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from patto.core.cache import current_version
from patto.funds.filters import MovementFilter
from patto.projects.filters import ProjectFilter

from . import selectors, serializers
from .authentication import HasScope, TokenAuthentication, token_reaches
from .errors import ErrorSerializer
from .filters import IndicatorFilter, ObservationFilter, PartyFilter, TerritoryFilter
from .models import ApiToken, Scope
from .throttling import AnonThrottle, TokenThrottle, WriteThrottle


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class StableOrdering(filters.OrderingFilter):
    """The client's ordering, then the primary key: pages never repeat or skip a row."""

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if ordering and request.query_params.get(self.ordering_param):
            return queryset.order_by(*ordering, "pk")
        return queryset


class FilterBackend(DjangoFilterBackend):
    """django-filter, with the extra arguments some filter sets take (a fund, the reader)."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        extra = getattr(view, "filterset_extra_kwargs", None)
        return {**kwargs, **(extra() if extra else {})}


ERRORS = {code: OpenApiResponse(ErrorSerializer, description=text) for code, text in (
    (400, "The request is not valid (see details)."),
    (401, "No valid token (missing, unknown, expired or revoked)."),
    (403, "The token or its owner may not do this."),
    (404, "Not found."),
    (409, "Changed meanwhile, or not in a state that allows this."),
    (429, "Too many requests: wait retry_after seconds."))}
READ_ERRORS = {code: ERRORS[code] for code in (400, 404, 429)}
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag sent still holds.")
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The ETag of a previous response: 304 if the data did not change since.")


class ApiView(generics.GenericAPIView):
    authentication_classes = [TokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes = [AnonThrottle, TokenThrottle]
    pagination_class = Pagination
    filter_backends = [FilterBackend, StableOrdering]
    ordering_fields: list[str] = []

    def initial(self, request, *args, **kwargs):
        # The API's addresses carry no language prefix: messages follow Accept-Language.
        activate_requested_language(request._request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Revalidate every time (the ETag makes that cheap); "private" keeps the site's whole
        # page cache (patto.core.cache) from answering in the view's place, which would skip
        # the conditional request and the rate limits.
        response["Cache-Control"] = "private, no-cache"
        response["Vary"] = "Accept, Accept-Language, Authorization"
        return response


def activate_requested_language(request) -> None:
    language = translation.get_language_from_request(request, check_path=False)
    translation.activate(language)
    request.LANGUAGE_CODE = language


def etag_for(request) -> str:
    """A response's ETag: the data version as this request sees it, its language, its
    address; no row is read."""
    key = f"{current_version()}|{get_language()}|{request.get_full_path()}"
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:40] + '"'


class PublicRead(ApiView):
    """A public read answering conditional requests by the data version."""

    def get(self, request, *args, **kwargs):
        tag = etag_for(request)
        sent = parse_etags(request.headers.get("If-None-Match", ""))
        if tag in sent or "*" in sent:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": tag})
        response = self.read(request, *args, **kwargs)
        response["ETag"] = tag
        return response


class PublicList(PublicRead):
    def read(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PublicDetail(PublicRead):
    def read(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def get_queryset(self):  # the selector fetches the object itself
        return None

    def filter_queryset(self, queryset):
        return queryset


def _read_schema(serializer, *, many: bool = False, tags: list[str]):
    return extend_schema(responses={200: serializer(many=many) if many else serializer,
                                    304: NOT_MODIFIED, **READ_ERRORS},
                         parameters=[IF_NONE_MATCH], tags=tags)


# Pacts ----------------------------------------------------------------------------------


@_read_schema(serializers.PactSerializer, many=True, tags=["pacts"])
class PactList(PublicList):
    """The pacts, latest signed first."""

    serializer_class = serializers.PactSerializer
    ordering_fields = ["code", "signed_on"]

    def get_queryset(self):
        return selectors.pact_list()


@_read_schema(serializers.PactDetailSerializer, tags=["pacts"])
class PactDetail(PublicDetail):
    """A pact with its clusters, challenges, emergency actions and instruments."""

    serializer_class = serializers.PactDetailSerializer

    def get_object(self):
        return selectors.pact_get(code=self.kwargs["pact"])


@_read_schema(serializers.PartyRoleSerializer, many=True, tags=["pacts"])
class PartyList(PublicList):
    """The parties of a pact: the promoter and the signatories, with their role."""

    serializer_class = serializers.PartyRoleSerializer
    filterset_class = PartyFilter
    ordering_fields = ["position", "joined_on"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.PactParty.objects.none()
        return selectors.pact_parties(pact=selectors.pact_code_exists(self.kwargs["pact"]))


# Territory ----------------------------------------------------------------------------------


@_read_schema(serializers.TerritorySerializer, many=True, tags=["territory"])
class TerritoryList(PublicList):
    """Territories: the metropolitan area, its unions and districts, its municipalities."""

    serializer_class = serializers.TerritorySerializer
    filterset_class = TerritoryFilter
    ordering_fields = ["code", "name", "population"]

    def get_queryset(self):
        return selectors.territory_list()


@_read_schema(serializers.TerritoryDetailSerializer, tags=["territory"])
class TerritoryDetail(PublicDetail):
    """A territory with its dated memberships and its boundary (GeoJSON)."""

    serializer_class = serializers.TerritoryDetailSerializer

    def get_object(self):
        return selectors.territory_get(code=self.kwargs["code"])


# Projects -------------------------------------------------------------------------------------


@_read_schema(serializers.ProjectSerializer, many=True, tags=["projects"])
class ProjectList(PublicList):
    """Projects and actions, filtered as the project list page filters them."""

    serializer_class = serializers.ProjectSerializer
    filterset_class = ProjectFilter
    ordering_fields = ["code", "title", "start_on", "end_on", "progress", "budget", "status"]

    def get_queryset(self):
        return selectors.project_list()


@_read_schema(serializers.ProjectSheetSerializer, tags=["projects"])
class ProjectDetail(PublicDetail):
    """A project's sheet: activities planned and done, issues, meetings, events, money."""

    serializer_class = serializers.ProjectSheetSerializer

    def get_object(self):
        return selectors.project_get(pact_code=self.kwargs["pact"], code=self.kwargs["code"])


# Monitoring -----------------------------------------------------------------------------------


@_read_schema(serializers.IndicatorSerializer, many=True, tags=["monitoring"])
class IndicatorList(PublicList):
    """A pact's indicators (agenda and projects') with their stored assessment."""

    serializer_class = serializers.IndicatorSerializer
    filterset_class = IndicatorFilter
    ordering_fields = ["code", "name", "level"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Indicator.objects.none()
        return selectors.indicator_list(pact=selectors.pact_code_exists(self.kwargs["pact"]))


@_read_schema(serializers.IndicatorDetailSerializer, tags=["monitoring"])
class IndicatorDetail(PublicDetail):
    """An indicator with its targets and each series' stored values and assessment."""

    serializer_class = serializers.IndicatorDetailSerializer

    def get_object(self):
        pact = selectors.pact_code_exists(self.kwargs["pact"])
        return selectors.indicator_get(pact=pact, code=self.kwargs["code"])


@_read_schema(serializers.ObservationSerializer, many=True, tags=["monitoring"])
class ObservationList(PublicList):
    """An indicator's current values (revised values show their latest revision)."""

    serializer_class = serializers.ObservationSerializer
    filterset_class = ObservationFilter
    ordering_fields = ["year", "series", "geocode"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Observation.objects.none()
        pact = selectors.pact_code_exists(self.kwargs["pact"])
        indicator = generics.get_object_or_404(pact.indicators.only("pk"),
                                               code=self.kwargs["code"])
        return selectors.observation_list(indicator=indicator)


@_read_schema(serializers.GoalResultSerializer, many=True, tags=["monitoring"])
class GoalResultList(PublicList):
    """The stored assessment of each SDG goal of a pact, per territory."""

    serializer_class = serializers.GoalResultSerializer
    ordering_fields = ["score"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.GoalResult.objects.none()
        return selectors.goal_results(pact=selectors.pact_code_exists(self.kwargs["pact"]))


# Funds ------------------------------------------------------------------------------------------


@_read_schema(serializers.FundSerializer, many=True, tags=["funds"])
class FundList(PublicList):
    """A pact's funds with their purposes."""

    serializer_class = serializers.FundSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Fund.objects.none()
        return selectors.fund_list(pact=selectors.pact_code_exists(self.kwargs["pact"]))


@_read_schema(serializers.MovementSerializer, many=True, tags=["funds"])
class MovementList(PublicList):
    """A fund's movements as the public sees them (no donor who is a person is named)."""

    serializer_class = serializers.MovementSerializer
    filterset_class = MovementFilter
    ordering_fields = ["booked_on", "amount"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.Movement.objects.none()
        self.fund = selectors.fund_get(pact_code=self.kwargs["pact"], code=self.kwargs["fund"])
        return selectors.movement_list(fund=self.fund)

    def filterset_extra_kwargs(self) -> dict:
        return {"fund": self.fund, "user": self.request.user}


# Writes -----------------------------------------------------------------------------------------


class Write(ApiView):
    permission_classes = [HasScope]
    throttle_classes = [AnonThrottle, TokenThrottle, WriteThrottle]
    throttle_scope = "writes"
    pagination_class = None
    filter_backends: list = []

    def reach(self, *, pact_id: int, project_id: int | None) -> None:
        if not token_reaches(self.request.auth, pact_id=pact_id, project_id=project_id):
            raise exceptions.PermissionDenied(
                _("This token is limited to another pact or project."))


@extend_schema(tags=["writes"], request=serializers.ReportWriteSerializer,
               responses={200: serializers.ReportSerializer, 201: serializers.ReportSerializer,
                          **{c: ERRORS[c] for c in (400, 401, 403, 404, 409, 429)}})
class ReportWrite(Write):
    """Save the progress report of a project in an open reporting round (a draft, or sent for
    review with ``submit``), as the token's owner: the referent's rights, the round's state
    and the report's version are checked by the reporting service, which keeps its history.
    Scope ``reporting:write``."""

    required_scope = Scope.REPORTING_WRITE
    serializer_class = serializers.ReportWriteSerializer

    def post(self, request, pact: str, code: str):
        from patto.projects.models import ReportingRound
        from patto.projects.services import update_save

        project = selectors.project_for_write(pact_code=pact, code=code)
        self.reach(pact_id=project.pact_id, project_id=project.pk)
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        reporting_round = ReportingRound.objects.filter(pk=values["round"],
                                                        pact_id=project.pact_id).first()
        if reporting_round is None:
            raise exceptions.ValidationError({"round": [_(
                "There is no reporting round %(round)s in this project's pact.") % {
                "round": values["round"]}]})
        existed = selectors.report_get(reporting_round_id=reporting_round.pk,
                                       project=project) is not None
        update = update_save(
            reporting_round=reporting_round, project=project, user=request.user,
            proposed_status=values["proposed_status"], progress=values["progress"],
            summary=values["summary"], payload=values["payload"],
            expected_version=values["expected_version"], submit=values["submit"])
        update.refresh_from_db()
        return Response(serializers.ReportSerializer(update).data,
                        status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED)


@extend_schema(tags=["writes"], request=serializers.ValuesWriteSerializer,
               responses={200: serializers.ValuesResultSerializer,
                          **{c: ERRORS[c] for c in (400, 401, 403, 404, 429)}})
class ValuesWrite(Write):
    """Record values of an indicator, as the token's owner: a changed value revises the
    current one, which stays in the history with who brought it; the stored assessment is
    brought up to date in the same transaction. Scope ``indicators:write``."""

    required_scope = Scope.INDICATORS_WRITE
    serializer_class = serializers.ValuesWriteSerializer

    def post(self, request, pact: str, code: str):
        from patto.monitoring.services import NewValue, observations_record
        from patto.monitoring.spreadsheet import allowed
        from patto.pact.models import Territory

        found = selectors.pact_code_exists(pact)
        indicator = generics.get_object_or_404(
            found.indicators.select_related("pact__territory", "project"), code=code)
        self.reach(pact_id=indicator.pact_id, project_id=indicator.project_id)
        user = request.user
        # The same rule as the values template's import (patto.monitoring.spreadsheet).
        if not (user.has_perm("monitoring.add_observation") and allowed(user, indicator)):
            raise exceptions.PermissionDenied(_("You may not enter values for this "
                                                "indicator."))
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["values"]
        codes = {r["territory"] for r in rows if r["territory"]}
        places = {}
        for t in Territory.objects.filter(code__in=codes).defer("boundary"):
            places[t.code] = t
        for t in Territory.objects.filter(istat_code__in=codes).defer("boundary"):
            places.setdefault(t.istat_code, t)
        unknown = {f"values[{i}].territory": [_("“%(code)s” is not a territory code.") % {
            "code": r["territory"]}] for i, r in enumerate(rows)
            if r["territory"] and r["territory"] not in places}
        if unknown:
            raise exceptions.ValidationError(unknown)
        values = [NewValue(year=r["year"], value_text=format(r["value"].normalize(), "f"),
                           series=r["series"], units=r["units"], geocode=r["territory"],
                           territory=places[r["territory"]] if r["territory"]
                           else indicator.pact.territory) for r in rows]
        with transaction.atomic():
            changes = observations_record(indicator=indicator, values=values, user=user,
                                          is_example=indicator.is_example)
        return Response({"created": changes.created, "revised": changes.revised,
                         "unchanged": changes.unchanged})


@extend_schema(tags=["writes"], responses={200: serializers.TokenInfoSerializer,
                                           401: ERRORS[401], 429: ERRORS[429]})
class TokenInfo(ApiView):
    """The token sent: its scopes, its reach, its expiry, and the open reporting rounds its
    owner may report in."""

    serializer_class = serializers.TokenInfoSerializer
    pagination_class = None
    filter_backends: list = []

    def get(self, request):
        token = request.auth
        if not isinstance(token, ApiToken):
            raise exceptions.NotAuthenticated(_("Send your token: “Authorization: Bearer "
                                                "<token>”."))
        return Response({
            "prefix": token.prefix, "name": token.name, "scopes": token.scopes,
            "pact": token.pact.code if token.pact_id else None,
            "project": token.project.code if token.project_id else None,
            "expires_at": token.expires_at, "open_rounds": selectors.token_rounds(token=token)})


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI from this site's own static files (drf-spectacular-sidecar), with its
    script in a file of its own: no inline script or style, as the site's CSP wants."""

    template_name = "api/swagger_ui.html"
    authentication_classes: list = []
    throttle_classes = [AnonThrottle]
