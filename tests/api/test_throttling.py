"""Rate limits: too many requests get a 429 in the one error shape, with Retry-After."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_anonymous_reads_are_limited_per_address(client, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": "3/minute"}}
    codes = [client.get("/api/v1/pacts/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/v1/pacts/")
    error = response.json()["error"]
    assert error["code"] == "throttled" and error["retry_after"] > 0
    assert int(response["Retry-After"]) == error["retry_after"]
    # Another address has its own allowance.
    assert client.get("/api/v1/pacts/", REMOTE_ADDR="10.1.2.3").status_code == 200
