"""A bounded schemathesis run from the app's own OpenAPI document, against the Django WSGI
application: no input, however odd, makes a server error, and every error has the one shape."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.django_db

#: Examples per operation: bounded, so the run takes a minute, not an hour.
EXAMPLES = 25


@pytest.fixture
def connection_kept():
    """The WSGI application closes the database connection after each request (Django's
    request_finished signal); the test's transaction needs it open, as the test client does."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_operation_gives_a_server_error(people, issue, settings_rates, connection_kept):
    secret = issue(people.secretariat, ["reporting:write", "indicators:write"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    failures = []
    for operation in operations:
        fuzz(operation, secret, failures)()
    assert not failures, failures[:5]


def fuzz(operation, secret: str, failures: list):
    """A hypothesis test of one operation, collecting its server errors."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        headers = {"Authorization": f"Bearer {secret}"} if case.method.upper() == "POST" \
            else {}
        # As generated (mostly unknown codes), then on real records, so that the query and
        # the body reach the selectors and the services.
        for real in (False, True):
            if real:
                if not case.path_parameters:
                    break
                case.path_parameters = {name: real_value(case.path, name)
                                        for name in case.path_parameters}
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append((operation.label, case.path_parameters, case.query,
                                 case.body, response.status_code, response.text[:300]))
            elif response.status_code >= 400:
                try:
                    shaped = "error" in response.json()
                except ValueError:
                    shaped = False
                if not shaped:
                    failures.append((operation.label, case.path, case.method,
                                     response.status_code, response.text[:300]))

    return run


def real_value(path: str, name: str) -> str:
    if name == "code":
        if "/projects/" in path:
            return "prova-api-1"
        if "/indicators/" in path:
            return "1-2-1"
        return "037"
    return {"pact": "bologna-2021", "fund": "comunita"}[name]


@pytest.fixture
def settings_rates(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        "anon": "100000/minute", "user": "100000/minute", "writes": "100000/minute"}}
