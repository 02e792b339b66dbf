"""Governance's pages: bodies, meetings, decisions (public) and the secretariat's office."""

from django.urls import path  # noqa: F401 - filled as the pages are built

app_name = "governance"
urlpatterns: list = []
