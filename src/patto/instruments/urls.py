"""Addresses of the instruments pages."""

app_name = "instruments"

urlpatterns: list = []
