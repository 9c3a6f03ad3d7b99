"""Logging filters: what a refused request writes to the log."""

import logging

from django.core.exceptions import PermissionDenied


class PermissionDeniedWithoutTraceback(logging.Filter):
    """Keep the one-line "Forbidden" warning of an ordinary 403 but drop its traceback: the
    refusal is expected (a user followed a link beyond their role) and the stack says nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
