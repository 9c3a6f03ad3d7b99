"""A schema-driven fuzz run (schemathesis): every API operation, as principal, reviewer and manager,
answers with a status code, content type and body its OpenAPI schema documents, never a 5xx; input
the schema forbids is refused, and input it allows is refused only for a rule the schema cannot
express (a check character, a rule across fields, the filing's state) which the operation's
description names by the field (or error code) the refusal names.

Bounded: a fixed number of derandomized examples per operation (no shrinking), so it takes the same
time on every run."""

import re
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
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)

from filings.jobs import alert_scan
from filings.models import Alert
from filings.services import transitions
from tests import factories
from tests.test_alerts import entered
from tests.test_transitions import bring_to

pytestmark = pytest.mark.django_db
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


def _error_paths(errors, prefix: str = "") -> set[str]:
    """Return the dotted names of the fields an error body names (list positions left out)."""
    if isinstance(errors, list):
        nested = [item for item in errors if isinstance(item, dict | list)]
        return set().union(*(_error_paths(item, prefix) for item in nested)) if nested else {prefix}
    if not isinstance(errors, dict):
        return {prefix}
    paths = set()
    for key, value in errors.items():
        # A rule across a nested object's fields is named by the object.
        name = (
            prefix
            if str(key).isdigit() or key == "non_field_errors"
            else f"{prefix}.{key}"
            if prefix
            else str(key)
        )
        paths |= _error_paths(value, name)
    return paths


def refused_names(body) -> set[str]:
    """Return what a 400 names: the fields of its errors, or its error code when it names none."""
    if isinstance(body, dict) and "detail" in body and "code" in body:
        return _error_paths(body["errors"]) if body.get("errors") else {body["code"]}
    return _error_paths(body)


def described_rules(operation) -> set[str]:
    """Return the names the operation's description marks as `name`."""
    return set(re.findall(r"`([^`]+)`", operation.definition.raw.get("description") or ""))


def positive_data_accepted_unless_described(ctx, response, case):
    """Valid-by-schema input is accepted, or refused (400) only for rules its description names."""
    try:
        return positive_data_acceptance(ctx, response, case)
    except RejectedPositiveData as rejection:
        if response.status_code != 400:
            raise
        names = refused_names(response.json())
        undescribed = names - described_rules(case.operation)
        if undescribed:
            rejection.message += f"\nRefused for {sorted(undescribed)}, which the description does not name"
            raise
        return None


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_accepted_unless_described,
]


def _fuzz(operation, *, known_ids: list[int], token, default_token: str):
    """Return a Hypothesis test that calls the operation with generated input and checks the answer."""
    revokes = operation.path.startswith("/api/v1/auth/token/revoke")
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
    )

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases, known=st.sampled_from([None, *known_ids]))
    def run(case, known):
        # A known id makes a valid request reach the checks behind "not found"; a negative case
        # keeps its own (perhaps malformed) id.
        if (
            case.meta.generation.mode.is_positive
            and known is not None
            and "id" in (case.path_parameters or {})
        ):
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
    # Revoking every token of the user comes last: the operations before it use the run's token.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda operation: operation.path.startswith("/api/v1/auth/token/revoke"),
    )
    assert len(operations) >= 20
    failures = []
    for operation in operations:
        run = _fuzz(operation, known_ids=world, token=lambda: _token(user), default_token=token)
        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # collected: one run reports every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:1500]}")
    assert not failures, "\n\n".join(failures)
