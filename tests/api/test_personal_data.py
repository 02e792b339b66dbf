"""No personal data in any public response: every public address of the OpenAPI document,
every page of it, read without a token, holds no person's name, e-mail or phone from the
loaded data (donors who are people, referents, working-group members, accounts)."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db

#: What each path parameter is replaced with: real records, so that details are read.
PARAMS = {"pact": "bologna-2021", "fund": "comunita", "fund_movements": "comunita"}
#: An Italian phone number, international or mobile, not a digit run inside a decimal.
PHONE = re.compile(r"\+39[\s\d]{8,}|(?<![\d.])3\d{2}[\s.]?\d{6,7}(?![\d.])")
PERSONAL_FIELDS = {"email", "e_mail", "phone", "telephone", "person", "referents", "first_name",
                   "last_name", "username", "recorded_by", "created_by", "submitted_by",
                   "reviewed_by", "tax_code_person", "organiser", "valued_by"}


def _people_strings(people) -> set[str]:
    from django.contrib.auth import get_user_model

    from patto.funds.models import Donor
    from patto.pact.models import WorkingGroupMember
    from patto.projects.models import ProjectReferent

    found = set()
    for first, last, email in get_user_model().objects.values_list("first_name", "last_name",
                                                                   "email"):
        if first and last:
            found.add(f"{first} {last}")
        if email:
            found.add(email)
    for name, email in Donor.objects.filter(kind=Donor.Kind.PERSON).values_list("name",
                                                                              "email"):
        found.update(v for v in (name, email) if v)
    found.update(Donor.objects.exclude(email="").values_list("email", flat=True))
    found.update(p for p in ProjectReferent.objects.values_list("person", flat=True) if p)
    found.update(p for p in WorkingGroupMember.objects.values_list("person", flat=True) if p)
    return found


@pytest.fixture
def personal(people):
    """The loaded data's people, and a few more in every place a person can be named."""
    from patto.funds.models import Donor, Fund

    fund = Fund.objects.get(pact=people.pact, code="comunita")
    Donor.objects.create(pact=people.pact, code="persona-api", kind=Donor.Kind.PERSON,
                         name="Bartolomea Donatrice", email="bartolomea@example.org",
                         consent_public=True, consent_on="2024-01-01")
    strings = _people_strings(people)
    assert {"Laura Esempio", "Ginevra Referentissima", "Bartolomea Donatrice"} <= strings
    assert fund
    return strings


def _keys(value, found: set[str]) -> set[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            _keys(item, found)
    elif isinstance(value, list):
        for item in value:
            _keys(item, found)
    return found


def _codes(client, list_url: str, **query) -> list[str]:
    return [r["code"] for r in client.get(list_url, {"page_size": 500, **query}
                                          ).json()["results"]]


def test_no_public_response_names_a_person(client, personal, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "100000/minute"}}
    document = client.get("/api/v1/openapi.json").json()
    indicator = _codes(client, "/api/v1/pacts/bologna-2021/indicators/")[0]
    read = 0
    for path, operations in document["paths"].items():
        if "get" not in operations or "token" in operations["get"].get("tags", []) \
                or operations["get"].get("security") == [{"token": []}]:
            continue
        if path == "/api/v1/token/":
            continue
        urls = []
        if "{code}" in path:
            if "/projects/" in path:
                codes = _codes(client, "/api/v1/projects/", pact="bologna-2021")
            elif "/indicators/" in path:
                codes = [indicator]
            else:
                codes = ["037", *_codes(client, "/api/v1/territories/",
                                        kind="municipality")[:3]]
            urls = [path.replace("{code}", c) for c in codes]
        else:
            urls = [path]
        for url in urls:
            url = re.sub(r"\{(\w+)\}", lambda m: PARAMS[m.group(1)], url)
            page = 1
            while True:
                response = client.get(url, {"page_size": 500, "page": page})
                assert response.status_code == 200, url
                text = response.content.decode()
                for person in personal:
                    assert person not in text, f"{person!r} in {url}"
                assert not re.search(r"[\w.+-]+@[\w-]+\.[\w.]+", text), f"an e-mail in {url}"
                assert not PHONE.search(text), f"a phone number in {url}"
                body = response.json()
                assert not (_keys(body, set()) & PERSONAL_FIELDS), url
                read += 1
                if not isinstance(body, dict) or not body.get("next"):
                    break
                page += 1
    assert read > 30
