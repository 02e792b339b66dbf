"""The open-data pages people read (Italian paths, English under /en/), and the secretariat's
page of API tokens."""

from django.urls import path

from . import office, opendata_views

app_name = "opendata"
urlpatterns: list = [
    path("dati/", opendata_views.page, name="page"),
    path("gestione/api/chiavi/", office.tokens, name="tokens"),
    path("gestione/api/chiavi/<int:pk>/revoca/", office.token_revoke, name="token_revoke"),
]
