"""Machine addresses, outside the language prefix: the REST API under /api/v1/ and the
catalogue's RDF."""

from django.urls import path  # noqa: F401 - filled as the API is built

urlpatterns: list = []
