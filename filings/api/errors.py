"""Turn application errors into JSON answers with a message in the user's language."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from filings.exceptions import BeianError


def exception_handler(exc, context):
    if isinstance(exc, BeianError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.details is not None:
            body["errors"] = exc.details
        return Response(body, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(
            {"detail": " ".join(exc.messages), "code": "invalid"}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)
