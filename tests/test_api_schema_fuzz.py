"""A schema-driven fuzz run (schemathesis): every API operation, as principal, reviewer and manager,
answers with a status code, content type and body its OpenAPI schema documents, and never a 5xx.

Bounded: a fixed number of derandomized examples per operation (no shrinking), so it takes the same
time on every run."""

import socket
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from filings import alert_scan
from filings.models import Alert
from filings.services import transitions
from tests import factories
from tests.test_alerts import entered
from tests.test_transitions import bring_to

pytestmark = pytest.mark.django_db
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def no_network(monkeypatch):
    """The footer check fetches websites: here it may reach nothing but this machine."""
    real = socket.getaddrinfo

    def local_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise socket.gaierror(socket.EAI_NONAME, "no network in tests")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", local_only)


@pytest.fixture
def in_process_wsgi():
    """Keep the test's database connection across requests, as Django's test client does (the WSGI
    handler closes connections when a request finishes)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def world(principal, reviewer, manager):
    """Filings in several stages, so that ids in paths often name something real."""
    draft = factories.ready_filing(assignee=principal)
    submitted = transitions.submit_filing(factories.ready_filing(assignee=principal), by=principal)
    published = bring_to("published", principal=principal, reviewer=reviewer)
    late = entered(
        "provider_review", timezone.now() - timedelta(days=20), assignee=principal, reviewer=reviewer
    )
    alert_scan.scan_deadlines(now=timezone.now())
    alerts = list(Alert.objects.filter(filing=late).values_list("pk", flat=True)[:3])
    assert alerts, "the fuzz run needs alerts, with their empty (null) fields"
    return [draft.pk, submitted.pk, published.pk, late.pk, *alerts]


def _token(user) -> str:
    return AuthToken.objects.create(user=user)[1]


def _fuzz(operation, *, known_ids: list[int], token, default_token: str):
    """Return a Hypothesis test that calls the operation with generated input and checks the answer."""
    revokes = operation.path.startswith("/api/v1/auth/token/revoke")

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(), known=st.sampled_from([None, *known_ids]))
    def run(case, known):
        if known is not None and "id" in (case.path_parameters or {}):
            case.path_parameters["id"] = known
        # Revoking must not end the token the rest of the run uses.
        key = token() if revokes else default_token
        case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)

    return run


@pytest.mark.parametrize("role", ["principal", "reviewer", "manager"])
def test_every_operation_answers_as_the_schema_says(request, role, world, no_network, in_process_wsgi):
    user = request.getfixturevalue(role)
    token = _token(user)
    schema = schemathesis.openapi.from_wsgi("/api/schema/", in_process_wsgi)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        run = _fuzz(operation, known_ids=world, token=lambda: _token(user), default_token=token)
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # collected: one run reports every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
