"""The open-data pages people read (Italian paths, English under /en/)."""

from django.urls import path  # noqa: F401 - filled as the pages are built

app_name = "opendata"
urlpatterns: list = []
