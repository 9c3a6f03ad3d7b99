"""Production: secrets and hosts must come from the environment; HTTPS everywhere."""

from config.env import env_bool, env_int_default, env_required

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_required("ALLOWED_HOSTS").split(",")
DATABASE_URL = env_required("DATABASE_URL")
if FILE_STORAGE_BACKEND.startswith("storages."):  # noqa: F405
    AWS_STORAGE_BUCKET_NAME = env_required("AWS_STORAGE_BUCKET_NAME")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int_default("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Issue #14, #23: behind nginx (deploy/nginx.conf) REMOTE_ADDR is nginx's own address, so login
# lockout by address counts the client's address from X-Forwarded-For instead (django-ipware, as
# django-axes documents).  Each trusted proxy appends the address it was reached from; the client's is
# the entry before the last BEIAN_PROXY_COUNT of them (1: the load balancer that ends TLS in front of
# nginx; 0 when nginx faces clients itself).  Counting from the right, and accepting a longer chain
# (not strict), means entries a client writes into the header itself are never taken for its address.
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
AXES_IPWARE_PROXY_ORDER = "left-most"
AXES_IPWARE_PROXY_COUNT = env_int_default("BEIAN_PROXY_COUNT", 1)
IPWARE_STRICT = False
