"""What the API shows of each record: public fields only, never a person's name, e-mail or
phone (referents' and members' names, donors who are people, who recorded what)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from patto.funds.models import Donor, Fund, Movement, Purpose
from patto.monitoring.models import GoalResult, Indicator, Observation, SeriesResult, Target
from patto.pact.models import (
    Challenge,
    Cluster,
    EmergencyAction,
    Instrument,
    Pact,
    PactParty,
    Territory,
)
from patto.projects.models import Project, ProjectUpdate

# Pacts, parties, territory -------------------------------------------------------------


class PactSerializer(serializers.ModelSerializer):
    territory = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Pact
        fields = ["code", "title", "short_title", "signed_on", "end_on", "territory", "summary",
                  "source_url"]


class ClusterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Cluster
        fields = ["code", "position", "title", "short_title", "summary"]


class ChallengeSerializer(serializers.ModelSerializer):
    sdgs = serializers.SerializerMethodField()
    clusters = serializers.SerializerMethodField()

    class Meta:
        model = Challenge
        fields = ["code", "position", "title", "short_label", "summary", "sdgs", "clusters"]

    def get_sdgs(self, obj) -> list[int]:
        return [g.number for g in obj.sdgs.all()]

    def get_clusters(self, obj) -> list[str]:
        return [c.code for c in obj.clusters.all()]


class EmergencyActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmergencyAction
        fields = ["code", "position", "title", "summary"]


class InstrumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Instrument
        fields = ["code", "position", "name", "kind", "summary"]


class PactDetailSerializer(PactSerializer):
    clusters = ClusterSerializer(many=True, read_only=True)
    challenges = ChallengeSerializer(many=True, read_only=True)
    emergency_actions = EmergencyActionSerializer(many=True, read_only=True)
    instruments = InstrumentSerializer(many=True, read_only=True)

    class Meta(PactSerializer.Meta):
        fields = [*PactSerializer.Meta.fields, "description", "clusters", "challenges",
                  "emergency_actions", "instruments"]


class PartyRoleSerializer(serializers.ModelSerializer):
    """A party as a member of a pact: the party's public record and its role."""

    code = serializers.CharField(source="party.code")
    name = serializers.CharField(source="party.name")
    legal_name = serializers.CharField(source="party.legal_name")
    short_name = serializers.CharField(source="party.short_name")
    category = serializers.CharField(source="party.category.code")
    category_name = serializers.CharField(source="party.category.name")
    tax_code = serializers.CharField(source="party.tax_code")
    website = serializers.CharField(source="party.website")
    territory = serializers.CharField(source="party.territory.code", allow_null=True,
                                      default=None)

    class Meta:
        model = PactParty
        fields = ["code", "name", "legal_name", "short_name", "category", "category_name",
                  "tax_code", "website", "territory", "role", "joined_on", "position"]


class TerritorySerializer(serializers.ModelSerializer):
    class Meta:
        model = Territory
        fields = ["code", "name", "kind", "istat_code", "cadastral_code", "nuts_code",
                  "population", "population_year", "population_source", "website"]


class MembershipSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    start_on = serializers.DateField(allow_null=True)
    end_on = serializers.DateField(allow_null=True)


class TerritoryDetailSerializer(TerritorySerializer):
    parents = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    boundary = serializers.JSONField(read_only=True, allow_null=True)

    class Meta(TerritorySerializer.Meta):
        fields = [*TerritorySerializer.Meta.fields, "parents", "members", "boundary",
                  "boundary_source"]

    @staticmethod
    def _rows(memberships, attr: str) -> list[dict]:
        return [{"code": getattr(m, attr).code, "name": getattr(m, attr).name,
                 "kind": getattr(m, attr).kind, "start_on": m.start_on, "end_on": m.end_on}
                for m in memberships]

    @extend_schema_field(MembershipSerializer(many=True))
    def get_parents(self, obj):
        """Every dated membership of this territory in a larger one."""
        return self._rows(obj.memberships.all(), "parent")

    @extend_schema_field(MembershipSerializer(many=True))
    def get_members(self, obj):
        return self._rows(obj.members.all(), "territory")


# Projects ---------------------------------------------------------------------------------


class ProjectSerializer(serializers.ModelSerializer):
    pact = serializers.CharField(source="pact.code")
    cluster = serializers.CharField(source="cluster.code", allow_null=True, default=None)
    emergency_action = serializers.CharField(source="emergency_action.code", allow_null=True,
                                             default=None)
    lead_party = serializers.CharField(source="lead_party.code", allow_null=True,
                                       default=None)

    class Meta:
        model = Project
        fields = ["pact", "code", "title", "cluster", "emergency_action", "horizon", "status",
                  "lead_party", "progress", "start_on", "end_on", "cup", "budget", "summary",
                  "sheet_updated_on", "is_example"]


def _records(items, fields: list[str]) -> list[dict]:
    return [{f: getattr(item, f) for f in fields} for item in items]


class ProjectSheetSerializer(ProjectSerializer):
    """The project's sheet, as its public page shows it, without its referents' names."""

    parent = serializers.CharField(source="parent.code", allow_null=True, default=None)
    challenges = serializers.SerializerMethodField()
    sdg_targets = serializers.SerializerMethodField()
    territories = serializers.SerializerMethodField()
    involved = serializers.SerializerMethodField()
    referent_parties = serializers.SerializerMethodField()
    subprojects = serializers.SerializerMethodField()
    links = serializers.SerializerMethodField()
    stored_progress = serializers.SerializerMethodField()
    milestones = serializers.SerializerMethodField()
    places = serializers.SerializerMethodField()
    funding = serializers.SerializerMethodField()
    planned_activities = serializers.SerializerMethodField()
    completed_activities = serializers.SerializerMethodField()
    critical_issues = serializers.SerializerMethodField()
    success_factors = serializers.SerializerMethodField()
    meetings = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()
    contributions = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "parent", "expected_results", "description",
                  "working_method", "progress_method", "progress_reason", "weight",
                  "challenges", "sdg_targets", "territories", "involved", "referent_parties",
                  "subprojects", "links", "stored_progress", "milestones", "places", "funding",
                  "planned_activities", "completed_activities", "critical_issues",
                  "success_factors", "meetings", "events", "contributions"]

    def get_challenges(self, obj) -> list[str]:
        return [c.code for c in obj.challenges.all()]

    def get_sdg_targets(self, obj) -> list[str]:
        return [t.code for t in obj.sdg_targets.all()]

    def get_territories(self, obj) -> list[str]:
        return [t.code for t in obj.territories.all()]

    def get_involved(self, obj) -> list[dict[str, str]]:
        return [{"party": p.party.code, "name": p.party.name, "role": p.role}
                for p in obj.involved.all()]

    def get_referent_parties(self, obj) -> list[str]:
        """The parties whose referents keep the sheet (never the referents' names)."""
        return sorted({r.party.code for r in obj.referents.all() if r.party_id})

    def get_subprojects(self, obj) -> list[str]:
        return [p.code for p in obj.subprojects.all()]

    def get_links(self, obj) -> list[dict[str, str]]:
        return [{"project": link.to_project.code, "pact": link.to_project.pact.code,
                 "note": link.note} for link in obj.outgoing_links.all()]

    def get_stored_progress(self, obj) -> dict | None:
        """The progress computed when its inputs changed (never on reading)."""
        rollup = getattr(obj, "rollup", None)
        if rollup is None:
            return None
        return {"method": rollup.method, "value": rollup.value, "reason": rollup.reason,
                "computed_at": rollup.computed_at}

    def get_milestones(self, obj) -> list[dict]:
        return [{"id": m.pk, "parent": m.parent_id, "position": m.position, "title": m.title,
                 "weight": str(m.weight), "due_on": m.due_on, "done_on": m.done_on}
                for m in obj.milestones.all()]

    def get_places(self, obj) -> list[dict]:
        return [{"name": p.name, "latitude": str(p.latitude), "longitude": str(p.longitude)}
                for p in obj.places.all()]

    def get_funding(self, obj) -> list[dict]:
        return [{"source": f.source, "party": f.party.code if f.party_id else None,
                 "kind": f.kind, "amount": str(f.amount)} for f in obj.funding.all()]

    def get_planned_activities(self, obj) -> list[dict]:
        return _records(obj.planned_activities.all(), ["position", "title", "due_on", "status"])

    def get_completed_activities(self, obj) -> list[dict]:
        return _records(obj.completed_activities.all(), ["done_on", "text"])

    def get_critical_issues(self, obj) -> list[dict]:
        return _records(obj.critical_issues.all(), ["noted_on", "text"])

    def get_success_factors(self, obj) -> list[str]:
        return [f.text for f in obj.success_factors.all()]

    def get_meetings(self, obj) -> list[dict]:
        return _records(obj.meetings.all(), ["held_on", "title", "participants"])

    def get_events(self, obj) -> list[dict]:
        # The organiser is left out: a free text that may name a person.
        return _records(obj.events.all(), ["held_on", "title", "place", "participants"])

    def get_contributions(self, obj) -> list[dict]:
        return [{"activity": c.activity, "kind": c.kind,
                 "amount": str(c.amount) if c.amount is not None else None,
                 "resource": c.resource, "party": c.party.code if c.party_id else None,
                 "received_on": c.received_on} for c in obj.contributions.all()]


# Monitoring -------------------------------------------------------------------------------


class IndicatorSerializer(serializers.ModelSerializer):
    pact = serializers.CharField(source="pact.code")
    sdg_goal = serializers.IntegerField(source="sdg_goal.number", allow_null=True, default=None)
    sdg_target = serializers.CharField(source="sdg_target.code", allow_null=True, default=None)
    project = serializers.CharField(source="project.code", allow_null=True, default=None)
    assessment = serializers.SerializerMethodField()

    class Meta:
        model = Indicator
        fields = ["pact", "code", "name", "level", "unit", "direction", "sdg_goal",
                  "sdg_target", "sdg_indicator", "project", "frequency", "source",
                  "is_example", "assessment"]

    def get_assessment(self, obj) -> dict | None:
        """The stored assessment (never recomputed on reading), or null before the first."""
        result = getattr(obj, "result", None)
        if result is None:
            return None
        return {"status": result.status, "score": result.score, "method": result.method,
                "reason": result.reason, "series_count": result.series_count,
                "assessed_at": result.assessed_at}


class TargetSerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory.code", allow_null=True, default=None)

    class Meta:
        model = Target
        fields = ["series", "territory", "value", "year", "base_year", "level"]


class SeriesResultSerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory.code", allow_null=True, default=None)

    class Meta:
        model = SeriesResult
        fields = ["position", "series", "units", "geocode", "territory", "disaggregation",
                  "total", "years", "values", "status", "score", "reason", "params"]


class IndicatorDetailSerializer(IndicatorSerializer):
    targets = TargetSerializer(many=True, read_only=True)
    series = SeriesResultSerializer(many=True, read_only=True, source="series_results")

    class Meta(IndicatorSerializer.Meta):
        fields = [*IndicatorSerializer.Meta.fields, "definition", "limit", "targets", "series"]


class ObservationSerializer(serializers.ModelSerializer):
    territory = serializers.CharField(source="territory.code", allow_null=True, default=None)

    class Meta:
        model = Observation
        fields = ["year", "period", "series", "units", "geocode", "territory",
                  "disaggregation", "value", "value_text", "status", "is_example"]


class GoalResultSerializer(serializers.ModelSerializer):
    goal = serializers.IntegerField(source="goal.number")
    goal_title = serializers.CharField(source="goal.title")
    territory = serializers.CharField(source="territory.code")

    class Meta:
        model = GoalResult
        fields = ["goal", "goal_title", "territory", "indicators", "status", "score",
                  "composite", "assessed_at"]


# Funds --------------------------------------------------------------------------------------


class PurposeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Purpose
        fields = ["code", "name", "name_en", "position"]


class FundSerializer(serializers.ModelSerializer):
    pact = serializers.CharField(source="pact.code")
    name = serializers.CharField(read_only=True)
    instrument = serializers.CharField(source="instrument.code")
    purposes = PurposeSerializer(many=True, read_only=True)

    class Meta:
        model = Fund
        fields = ["pact", "code", "name", "kind", "instrument", "purposes", "is_example"]


class MovementSerializer(serializers.ModelSerializer):
    """A movement as the public sees it: a donor who is a person is never named (consent or
    not), nor who recorded it."""

    purpose = serializers.CharField(source="purpose.code", allow_null=True, default=None)
    donor = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField()
    beneficiary_territory = serializers.CharField(source="beneficiary_territory.code",
                                                  allow_null=True, default=None)
    reverses = serializers.CharField(source="reverses.ref", allow_null=True, default=None)

    class Meta:
        model = Movement
        fields = ["ref", "kind", "booked_on", "medium", "amount", "purpose", "donor",
                  "project", "beneficiary_territory", "beneficiary", "item", "quantity",
                  "unit", "reverses", "description", "is_example"]

    def get_donor(self, obj) -> dict | None:
        donor = obj.donor
        if donor is None:
            return None
        name = None if donor.kind == Donor.Kind.PERSON else donor.full_name
        return {"kind": donor.kind, "name": name}

    def get_project(self, obj) -> str | None:
        return obj.project.code if obj.project_id else None


# Writes -----------------------------------------------------------------------------------


class ReportRecordsSerializer(serializers.Serializer):
    """The records a report adds to the sheet once approved (checked again by the service)."""

    completed = serializers.ListField(child=serializers.DictField(), required=False)
    issues = serializers.ListField(child=serializers.CharField(), required=False)
    meetings = serializers.ListField(child=serializers.DictField(), required=False)
    events = serializers.ListField(child=serializers.DictField(), required=False)
    milestones = serializers.ListField(child=serializers.DictField(), required=False)
    progress_reason = serializers.CharField(required=False, allow_blank=True)


class ReportWriteSerializer(serializers.Serializer):
    round = serializers.IntegerField(min_value=1, help_text="The reporting round's id.")
    proposed_status = serializers.ChoiceField(choices=Project.Status.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000,
                                    default="")
    payload = ReportRecordsSerializer(required=False, default=dict)
    expected_version = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, default=None,
        help_text="The report's version you read; omit to create the first draft.")
    submit = serializers.BooleanField(required=False, default=False,
                                      help_text="Send it for review at once.")


class ReportSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code")
    round = serializers.IntegerField(source="round_id")

    class Meta:
        model = ProjectUpdate
        fields = ["id", "project", "round", "status", "proposed_status", "progress",
                  "summary", "payload", "base_version", "version", "submitted_at"]


class ValueWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=1900, max_value=2100)
    value = serializers.DecimalField(max_digits=30, decimal_places=10, coerce_to_string=True)
    territory = serializers.CharField(required=False, allow_blank=True, default="",
                                      help_text="A territory's code or ISTAT code; empty: "
                                                "the pact's whole territory.")
    series = serializers.CharField(required=False, allow_blank=True, default="",
                                   max_length=200)
    units = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)


class ValuesWriteSerializer(serializers.Serializer):
    values = ValueWriteSerializer(many=True, allow_empty=False, max_length=1000)


class ValuesResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    revised = serializers.IntegerField()
    unchanged = serializers.IntegerField()


class TokenInfoSerializer(serializers.Serializer):
    prefix = serializers.CharField()
    name = serializers.CharField()
    scopes = serializers.ListField(child=serializers.CharField())
    pact = serializers.CharField(allow_null=True)
    project = serializers.CharField(allow_null=True)
    expires_at = serializers.DateTimeField(allow_null=True)
    open_rounds = serializers.ListField(child=serializers.DictField())
