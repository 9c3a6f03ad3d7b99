"""An S3-compatible server for the tests: moto's ThreadedMotoServer on 127.0.0.1 on a free port, with a
bucket of the run's own.  Importable by any test that needs a bucket (a worker, two app servers)."""

import logging
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import boto3
from botocore.config import Config

S3_BACKEND = "storages.backends.s3.S3Storage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
REGION = "us-east-1"


@dataclass(frozen=True)
class ObjectStore:
    """Where a bucket is and how to reach it, as settings, as environment and as a boto3 client."""

    endpoint: str
    bucket: str
    access_key: str = "beian-test"
    secret_key: str = "beian-test-secret"

    def client_config(self) -> Config:
        return Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            connect_timeout=2,
            read_timeout=10,
            retries={"mode": "standard", "max_attempts": 1},
        )

    def storages(self) -> dict:
        """Return STORAGES that put the default storage in this bucket."""
        return {
            "default": {
                "BACKEND": S3_BACKEND,
                "OPTIONS": {
                    "endpoint_url": self.endpoint,
                    "bucket_name": self.bucket,
                    "access_key": self.access_key,
                    "secret_key": self.secret_key,
                    "region_name": REGION,
                    "client_config": self.client_config(),
                },
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }

    def environment(self) -> dict[str, str]:
        """Return the environment that points another process (a worker, an app server) at the bucket."""
        return {
            "FILE_STORAGE_BACKEND": S3_BACKEND,
            "AWS_S3_ENDPOINT_URL": self.endpoint,
            "AWS_STORAGE_BUCKET_NAME": self.bucket,
            "AWS_ACCESS_KEY_ID": self.access_key,
            "AWS_SECRET_ACCESS_KEY": self.secret_key,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_S3_ADDRESSING_STYLE": "path",
        }

    def client(self):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
            config=self.client_config(),
        )

    def keys(self, prefix: str = "") -> list[str]:
        """Return the keys in the bucket under `prefix`."""
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [entry["Key"] for page in pages for entry in page.get("Contents", ())]


@contextmanager
def s3_server() -> Iterator[ObjectStore]:
    """Run an S3 server on 127.0.0.1 with a fresh bucket for as long as the context lasts."""
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request the server answers.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        store = ObjectStore(endpoint=f"http://{host}:{port}", bucket=f"beian-test-{uuid.uuid4().hex[:12]}")
        store.client().create_bucket(Bucket=store.bucket)
        yield store
    finally:
        server.stop()


def closed_port_store() -> ObjectStore:
    """Return a store whose endpoint is a port on 127.0.0.1 nobody listens on (an unreachable store)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return ObjectStore(endpoint=f"http://127.0.0.1:{port}", bucket="beian-unreachable")
