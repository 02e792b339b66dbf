"""The back office's shell: one home per person after sign-in, the people and roles pages of the
secretariat, a person's own roles, and the sign-up an invitation leads to."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from patto.core import people
from patto.core.errors import ApplicationError
from patto.core.homepanels import home_panels
from patto.core.permissions import is_secretariat
from patto.funds import selectors as funds_selectors
from patto.instruments.views import person_roles_context
from patto.projects import selectors as projects_selectors

from . import selectors, services
from .forms import InviteForm, RoleForm

PEOPLE_PER_PAGE = 50


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One address for everybody after sign-in: a panel for each role the person holds."""
    user = request.user
    secretariat = is_secretariat(user)
    projects, reports = projects_selectors.referent_home(user=user, today=timezone.localdate())
    clusters, to_review = projects_selectors.coordinator_home(user=user)
    funds = list(funds_selectors.funds_of_clerk(user=user))
    reporter = user.reporter_for.exists()
    context = {
        "secretariat": secretariat, "projects": projects, "reports": reports,
        "due": [r for r in reports if r.due], "clusters": clusters, "to_review": to_review,
        "funds": funds, "reporter": reporter,
    }
    if secretariat:
        from patto.projects.models import ReportingRound

        context["rounds"] = list(projects_selectors.rounds_for(user).filter(
            status=ReportingRound.Status.OPEN).order_by("deadline")[:10])
        context["all_funds"] = list(funds_selectors.funds_kept(user=user)
                                    .select_related("pact", "instrument")
                                    .order_by("pact", "instrument__position"))
    context["panels"] = home_panels(user, secretariat=secretariat)
    context["nothing"] = not (secretariat or projects or clusters or funds or reporter
                              or any(panel.from_role for panel in context["panels"]))
    return render(request, "site/home.html", context)


@login_required
def my_roles(request: HttpRequest) -> HttpResponse:
    person = selectors.person_get(pk=request.user.pk)
    return render(request, "site/my_roles.html", {"person": person,
                                                  "roles": selectors.roles_of(person)})


def _secretariat_only(request: HttpRequest) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied


@login_required
def people_list(request: HttpRequest) -> HttpResponse:
    _secretariat_only(request)
    search = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.people_list(search=search), PEOPLE_PER_PAGE) \
        .get_page(request.GET.get("pagina"))
    rows = [(person, selectors.roles_of(person)) for person in page.object_list]
    return render(request, "site/people_list.html", {"page": page, "rows": rows,
                                                     "search": search})


@login_required
@require_http_methods(["GET", "POST"])
def person_invite(request: HttpRequest) -> HttpResponse:
    _secretariat_only(request)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = people.person_invite(user=request.user,
                                          site_url=_site_url(request),
                                          **form.cleaned_data)
        except ApplicationError as exc:
            field = getattr(exc, "field", None)
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s: give them their roles "
                                        "now; they will have them when they sign up.")
                             % {"email": person.email})
            return redirect("site:person_detail", pk=person.pk)
    return render(request, "site/person_invite.html", {"form": form})


@login_required
@require_POST
def person_reinvite(request: HttpRequest, pk: int) -> HttpResponse:
    _secretariat_only(request)
    person = _person(pk)
    try:
        people.person_reinvite(person=person, user=request.user,
                               site_url=_site_url(request))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Invitation sent again to %(email)s.")
                         % {"email": person.email})
    return redirect("site:person_detail", pk=pk)


def _site_url(request: HttpRequest) -> str:
    """Where links in e-mails point: the configured public address, else this request's host
    (which ALLOWED_HOSTS has already vetted)."""
    from django.conf import settings

    return getattr(settings, "PATTO_SITE_URL", "") or request.build_absolute_uri("/")


def _person(pk: int):
    try:
        return selectors.person_get(pk=pk)
    except get_user_model().DoesNotExist as exc:
        raise Http404 from exc


@login_required
def person_detail(request: HttpRequest, pk: int, forms: dict | None = None) -> HttpResponse:
    _secretariat_only(request)
    person = _person(pk)
    choices = selectors.role_choices()
    forms = forms or {kind: RoleForm(choices=choices[kind], prefix=kind) for kind in choices}
    return render(request, "site/person_detail.html", {
        "person": person, "roles": selectors.roles_of(person),
        "history": selectors.role_history(person), "forms": forms,
        "kinds": selectors.KINDS,
        "is_secretariat_member": is_secretariat(person),
        # The instruments' roles (InstrumentRole), given through their own services.
        **person_roles_context(person),
    })


@login_required
@require_POST
def role_assign(request: HttpRequest, pk: int) -> HttpResponse:
    _secretariat_only(request)
    person = _person(pk)
    kind = request.POST.get("kind", "")
    if kind not in selectors.KINDS:
        raise Http404
    target = None
    forms = None
    if kind != "secretariat":
        choices = selectors.role_choices()
        form = RoleForm(request.POST, choices=choices[kind], prefix=kind)
        if not form.is_valid():
            forms = {k: (form if k == kind else RoleForm(choices=choices[k], prefix=k))
                     for k in choices}
            messages.error(request, _("Nothing was changed: choose from the list."))
            return person_detail(request, pk, forms=forms)
        target = form.cleaned_data["target"]
    try:
        services.role_assign(person=person, kind=kind, target=target, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role given: %(role)s.") % {"role": selectors.KINDS[kind]})
    return redirect("site:person_detail", pk=pk)


@login_required
@require_POST
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    _secretariat_only(request)
    person = _person(pk)
    kind = request.POST.get("kind", "")
    if kind not in selectors.KINDS:
        raise Http404
    try:
        services.role_remove(person=person, kind=kind, pk=request.POST.get("role"),
                             user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Role taken away: %(role)s.")
                         % {"role": selectors.KINDS[kind]})
    return redirect("site:person_detail", pk=pk)


class SignupView(auth_views.PasswordResetConfirmView):
    """An invited person chooses their password through their one-time link; the account
    opens then (Django's token no longer matches once the password is set)."""

    template_name = "site/signup.html"
    success_url = reverse_lazy("site:login")
    post_reset_login = False

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            people.person_activate(person=form.user)
        messages.success(self.request, _("Your password is set: sign in with your e-mail "
                                         "address and it."))
        return response
