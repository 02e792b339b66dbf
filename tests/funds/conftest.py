"""Fixtures of the funds tests: a fresh fund in the Bologna pact, donors, clerks."""

from __future__ import annotations

from decimal import Decimal

import pytest


@pytest.fixture
def fund(bologna):
    from patto.funds import services
    from patto.funds.models import Fund, Purpose
    from patto.pact.models import Instrument

    instrument = Instrument.objects.create(pact=bologna, code="test-fund", name="Test fund",
                                           kind=Instrument.Kind.COMMUNITY_FUND, summary="t")
    made = Fund.objects.create(pact=bologna, instrument=instrument, code="test-fund",
                               kind=Fund.Kind.COMMUNITY)
    Purpose.objects.create(fund=made, code="food", name="Cibo", name_en="Food", position=1)
    Purpose.objects.create(fund=made, code="housing", name="Casa", name_en="Housing",
                           position=2)
    services.fund_chart_ensure(fund=made)
    return made


@pytest.fixture
def food(fund):
    return fund.purposes.get(code="food")


@pytest.fixture
def donor(bologna):
    from patto.funds.models import Donor

    return Donor.objects.create(pact=bologna, code="test-org", kind=Donor.Kind.ORGANISATION,
                                name="Test organisation")


@pytest.fixture
def person(bologna):
    from patto.funds.models import Donor

    return Donor.objects.create(pact=bologna, code="test-person", kind=Donor.Kind.PERSON,
                                name="Maria Riservata", email="maria@example.org")


@pytest.fixture
def funded(fund, food, donor):
    """The test fund with € 1,000.00 received for food."""
    from patto.funds import services

    services.movement_receipt(user=None, fund=fund, donor=donor, amount=Decimal("1000.00"),
                              purpose=food, ref="R-1")
    return fund


@pytest.fixture
def clerk(db, django_user_model, fund):
    from patto.funds.models import FundClerk

    user = django_user_model.objects.create_user("cassiere", "c@example.org",
                                                 "a-long-test-password")
    FundClerk.objects.create(fund=fund, user=user)
    return user


@pytest.fixture
def outsider(db, django_user_model):
    return django_user_model.objects.create_user("esterno", "e@example.org",
                                                 "a-long-test-password")
