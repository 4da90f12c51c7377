"""The statements of the completing moment: Stripe's webhook makes the last step done, the journey
completes, the job is made and the navigators hear of it, all inside the webhook's request."""

from __future__ import annotations

import pytest

from portico.journey.models import COMPLETE
from portico.journey.tests.helpers import journey
from portico.work.models import Job
from portico.work.tests.factories import agreement_sign, onboarding_client, payment_method_activate

pytestmark = pytest.mark.django_db

# The organization's first job (its counter row is made here). 56 before the journey's refresh
# and the job's creation stopped reading again what they had (the journey's existence, its
# settings apart from the organization, the job before the counter lock).
COMPLETING_WEBHOOK_BUDGET = 53


def test_the_completing_webhook_stays_within_its_statements(org_a, django_assert_max_num_queries):
    client, _estimate, agreement, method = onboarding_client(org_a)
    agreement_sign(agreement)
    with django_assert_max_num_queries(COMPLETING_WEBHOOK_BUDGET):
        payment_method_activate(method)
    assert journey(client).current_step == COMPLETE
    assert Job.objects.filter(client=client).count() == 1
