"""The API's rate limits (DRF throttling), with rates read when used, so that a deployment's
settings and the tests' overrides apply (DRF's classes keep the rates of import time)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, ScopedRateThrottle, UserRateThrottle


class _Rates:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_Rates, AnonRateThrottle):
    """Requests without a token, per address."""


class TokenThrottle(_Rates, UserRateThrottle):
    """Requests with a token, per owner."""


class WriteThrottle(_Rates, ScopedRateThrottle):
    """Writes, per owner, on top of the others."""
