"""Addresses of the participation pages."""

app_name = "participation"

urlpatterns: list = []
