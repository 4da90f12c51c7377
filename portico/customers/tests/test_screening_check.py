"""The screening at creation: the alert for each situation, and the organization's warn/block policy."""

from __future__ import annotations

import pytest

from portico.core.actors import Actor
from portico.customers.models import ScreeningAction
from portico.customers.screening import screening_check, screening_policy
from portico.customers.screening_actions import customer_screening_policy_set
from portico.sat69b.models import Situation
from portico.sat69b.tests.factories import sample_import

# RFCs of the sample list (portico/sat69b/fixtures/69b_sample.csv), one per situation.
BY_SITUATION = {
    Situation.PRESUNTO: "CCO150312KLA",
    Situation.DESVIRTUADO: "DEF160801N2A",
    Situation.DEFINITIVO: "AAA190524M17",
    Situation.SENTENCIA_FAVORABLE: "EMP180228P59",
}


@pytest.fixture
def listed(db):
    return sample_import()


@pytest.mark.parametrize(
    ("situation", "action"),
    [
        (Situation.PRESUNTO, ScreeningAction.WARN),
        (Situation.DESVIRTUADO, ScreeningAction.WARN),
        (Situation.DEFINITIVO, ScreeningAction.BLOCK),
        (Situation.SENTENCIA_FAVORABLE, ScreeningAction.WARN),
    ],
)
def test_the_default_policy_warns_and_blocks_definitivo(org_a, listed, situation, action):
    screening = screening_check(org=org_a.org, tax_id=BY_SITUATION[situation])
    assert screening.listed
    assert screening.entry.situation == situation
    assert screening.action == action
    assert screening.blocks == (action == ScreeningAction.BLOCK)


def test_an_rfc_off_the_list_and_an_ein_are_not_listed(org_a, listed, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert not screening_check(org=org_a.org, tax_id="XAXX010101000").listed
    with django_assert_num_queries(0):
        assert not screening_check(org=org_a.org, tax_id="123456789").listed


def test_each_organization_applies_its_own_policy(org_a, org_b, listed):
    policy = {s: ScreeningAction.BLOCK for s in Situation.values}
    customer_screening_policy_set(org=org_a.org, actor=Actor.system(), policy=policy)
    assert screening_policy(org=org_a.org) == policy
    for situation, rfc in BY_SITUATION.items():
        assert screening_check(org=org_a.org, tax_id=rfc).blocks
        # org_b keeps the defaults
        assert screening_check(org=org_b.org, tax_id=rfc).blocks == (situation == Situation.DEFINITIVO)
    warn_all = {s: ScreeningAction.WARN for s in Situation.values}
    customer_screening_policy_set(org=org_a.org, actor=Actor.system(), policy=warn_all)
    assert not screening_check(org=org_a.org, tax_id=BY_SITUATION[Situation.DEFINITIVO]).blocks
