"""URLs of the public shell and of the staff import pages."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from . import backoffice, views

app_name = "site"

urlpatterns = [
    path("accedi/", auth_views.LoginView.as_view(template_name="site/login.html",
                                                 redirect_authenticated_user=True), name="login"),
    path("esci/", auth_views.LogoutView.as_view(), name="logout"),
    path("note-legali/", views.legal, {"page": "legal"}, name="legal"),
    path("privacy/", views.legal, {"page": "privacy"}, name="privacy"),
    path("accessibilita/", views.legal, {"page": "accessibility"}, name="accessibility"),
    path("gestione/", backoffice.home, name="home"),
    path("gestione/i-miei-ruoli/", backoffice.my_roles, name="my_roles"),
    path("gestione/persone/", backoffice.people_list, name="people"),
    path("gestione/persone/invita/", backoffice.person_invite, name="person_invite"),
    path("gestione/persone/<int:pk>/", backoffice.person_detail, name="person_detail"),
    path("gestione/persone/<int:pk>/invita-di-nuovo/", backoffice.person_reinvite,
         name="person_reinvite"),
    path("gestione/persone/<int:pk>/ruoli/assegna/", backoffice.role_assign,
         name="role_assign"),
    path("gestione/persone/<int:pk>/ruoli/revoca/", backoffice.role_remove, name="role_remove"),
    path("accedi/iscrizione/<uidb64>/<token>/", backoffice.SignupView.as_view(), name="signup"),
    path("gestione/importazioni/", views.import_list, name="import_list"),
    path("gestione/importazioni/<slug:kind>/nuova/", views.import_start, name="import_start"),
    path("gestione/importazioni/lavoro/<uuid:pk>/", views.import_detail, name="import_detail"),
]
if settings.PATTO_BENCH:
    # Only in `patto bench pages`' own server: what a page is compared with.
    urlpatterns.append(path("_bench/bare/", views.bench_bare, name="bench_bare"))
