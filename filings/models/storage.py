"""Files of materials, exports and result files in the configured storage (local disk, or an
S3-compatible bucket through django-storages): a fault of the store told apart from a file gone."""

import logging
from typing import IO

from boto3.exceptions import Boto3Error
from botocore.exceptions import BotoCoreError, ClientError
from django.core.files import File
from django.db.models.fields.files import FieldFile
from django.utils.translation import gettext

from filings.exceptions import StorageUnavailable

logger = logging.getLogger(__name__)

# What a store that cannot be reached, refuses the credentials or lost the bucket raises: boto3 and
# botocore's errors on the S3 path, OSError (disk full, permissions) on local disk.
STORAGE_FAULTS = (OSError, BotoCoreError, ClientError, Boto3Error)
# An object deleted between the check that it exists and its download.
GONE = {"404", "NoSuchKey"}


def store_file(field: FieldFile, content: IO[bytes], *, name: str, content_type: str) -> str:
    """Write `content` as the field's file, the row not saved; return the stored name.

    The object's content type is the one given (what the checks found), never the client's claim.
    Raise StorageUnavailable when the store fails; then nothing is stored.
    """
    wrapped = File(content, name=name)
    wrapped.content_type = content_type
    try:
        content.seek(0)
        field.save(name, wrapped, save=False)
    except STORAGE_FAULTS as error:
        logger.warning("Could not store %s: %r", name, error)
        field.name = None
        raise StorageUnavailable from error
    return field.name


def discard_file(field: FieldFile) -> bool:
    """Delete the field's file; return False (and log) when the store could not be reached."""
    if not field:
        return True
    try:
        field.storage.delete(field.name)
    except STORAGE_FAULTS as error:
        logger.warning("Could not delete %s, left in the store: %r", field.name, error)
        return False
    return True


def open_stored_file(field: FieldFile) -> File:
    """Open the field's file for reading, its first bytes fetched.

    Raise FileNotFoundError when the file has gone, StorageUnavailable when the store fails.
    """
    if not field:
        raise FileNotFoundError("No file recorded")
    try:
        handle = field.storage.open(field.name, "rb")
        # On S3 the object is fetched here, so a fault surfaces before the response starts.
        handle.seek(0)
    except FileNotFoundError:
        raise
    except STORAGE_FAULTS as error:
        if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in GONE:
            raise FileNotFoundError(field.name) from error
        logger.warning("Could not open %s: %r", field.name, error)
        raise StorageUnavailable(gettext("存储服务暂时不可用,请稍后重试。")) from error
    return handle
