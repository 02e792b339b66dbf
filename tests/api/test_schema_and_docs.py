"""The OpenAPI document validates; its documentation page serves from local assets under the
site's strict CSP."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_the_openapi_document_validates(client):
    from drf_spectacular.validation import validate_schema

    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate_schema(document)  # against the OpenAPI 3 JSON Schema (jsonschema)
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    assert "/api/v1/projects/" in paths
    assert "/api/v1/pacts/{pact}/projects/{code}/reports/" in paths
    # Every operation documents the one error shape.
    for path, operations in paths.items():
        for method, operation in operations.items():
            errors = [code for code in operation["responses"] if code.startswith("4")]
            assert errors, f"{method} {path} documents no error"
            for code in errors:
                schema = operation["responses"][code]["content"]["application/json"]["schema"]
                assert schema["$ref"].endswith("/Error")
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"


def test_the_yaml_schema_is_served_too(client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200 and b"openapi: 3" in response.content


def test_the_docs_page_serves_with_local_assets_and_no_inline_code(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    assert "<style" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html), "an asset from elsewhere"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assets = [s for s in sources if s.startswith("/static/")]
    assert len(assets) >= 4
    for asset in assets:
        assert finders.find(asset.removeprefix("/static/")), asset
    script = next(s for s in sources if "script" in s and not s.startswith("/static/"))
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content and b"/api/v1/schema/" in init.content
