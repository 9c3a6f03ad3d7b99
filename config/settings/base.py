"""Settings shared by every environment; values come from config.env."""

from datetime import timedelta

import dj_database_url
from django.utils.translation import gettext_lazy as _

from config.env import BASE_DIR, VAR_DIR, env_bool, env_int_default, env_list, env_str

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Django's admin, whose site asks staff for the second factor (issue #23).
    "accounts.admin_site.BeianAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_fsm",
    "accounts",
    "filings",
    # Issue #14 (security hardening).
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
]

MIDDLEWARE = [
    "config.request_limits.RequestSizeLimitMiddleware",
    # Issue #24: a view whose database connection was cut answers 503 "try again" (HTML or JSON).
    "config.database_errors.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Issue #14: Content-Security-Policy on every response (django-csp).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue #14: staff (reviewers, managers, admins) must give a TOTP code or backup code first.
    "accounts.two_factor.SessionDeviceMiddleware",
    "accounts.two_factor.StaffSecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Issue #14: answers a locked-out login (django-axes); last, as its documentation asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Widgets render through the project's templates, so that templates/django/forms/ can replace one
# (the select's options are written in one loop instead of two includes each).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "filings.web.context_processors.navigation",
                "filings.web.context_processors.assets",
                "filings.web.context_processors.alerts",
            ],
        },
    },
]

# The embedded defaults (SQLite, media, the file-system broker) all live under var/.
VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASE_URL = env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'beian.sqlite3'}"
# Issue #24: several web nodes and workers share the database. Either each process keeps its
# connection for DATABASE_CONN_MAX_AGE seconds, checked before reuse (a connection the server ended
# is replaced at the next request, not reported as an error), or, with DATABASE_POOL_MAX_SIZE set,
# a psycopg pool per process hands out connections it has checked.
DATABASE_CONN_MAX_AGE = env_int_default("DATABASE_CONN_MAX_AGE", 60)
DATABASE_POOL_MAX_SIZE = env_int_default("DATABASE_POOL_MAX_SIZE", 0)
DATABASE_POOL_MIN_SIZE = env_int_default("DATABASE_POOL_MIN_SIZE", 1)
DATABASE_POOL_TIMEOUT = env_int_default("DATABASE_POOL_TIMEOUT", 10)


def database_settings(url: str) -> dict:
    """Return one DATABASES entry for `url`, with the connection handling above."""
    db = dj_database_url.parse(url, conn_max_age=DATABASE_CONN_MAX_AGE, conn_health_checks=True)
    if db["ENGINE"] == "django.db.backends.sqlite3":
        db["CONN_MAX_AGE"] = 0
        # The web app, worker and scheduler share one SQLite file: WAL lets readers run beside a
        # writer, and IMMEDIATE transactions wait for the write lock instead of failing with
        # "database is locked".
        db.setdefault("OPTIONS", {}).update(
            timeout=20,
            transaction_mode="IMMEDIATE",
            init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        )
        return db
    # Every query of the app reads a page, a row or a summary. Starting parallel workers for one
    # (about 20 ms on a small host) cost more than the page itself, and took cores from the other
    # requests: the app's sessions plan without them unless the environment says otherwise.
    parallel = env_int_default("DATABASE_PARALLEL_WORKERS", 0)
    options = db.setdefault("OPTIONS", {})
    options["options"] = f"{options.get('options', '')} -c max_parallel_workers_per_gather={parallel}".strip()
    if DATABASE_POOL_MAX_SIZE:
        # Django refuses persistent connections beside a pool: the pool keeps them instead (and,
        # with CONN_HEALTH_CHECKS, checks each one it hands out).
        db["CONN_MAX_AGE"] = 0
        options["pool"] = {
            "min_size": min(DATABASE_POOL_MIN_SIZE, DATABASE_POOL_MAX_SIZE),
            "max_size": DATABASE_POOL_MAX_SIZE,
            "timeout": DATABASE_POOL_TIMEOUT,
        }
    return db


DATABASES = {"default": database_settings(DATABASE_URL)}
DATABASE_IS_POSTGRES = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# The covering indexes' INCLUDE columns serve PostgreSQL's index-only scans; SQLite (make run) builds
# the same indexes on their key columns alone, which is all it needs, and should not say so at every
# command.
SILENCED_SYSTEM_CHECKS = [] if DATABASE_IS_POSTGRES else ["models.W040"]
# Issue #24: a read replica. The dashboard's statistics, exports and the alert scan's unlocked
# reads go there when it is named (config.databases.replica_alias); every write, and every read a
# write depends on, stays on the primary.
REPLICA_DATABASE_URL = env_str("REPLICA_DATABASE_URL")
BEIAN_READ_REPLICA = bool(REPLICA_DATABASE_URL)
if REPLICA_DATABASE_URL:
    DATABASES["replica"] = database_settings(REPLICA_DATABASE_URL)
DATABASE_ROUTERS = ["config.databases.PrimaryRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Issue #14: refuses a login from a locked account or address first (django-axes).
    "accounts.lockout.LockoutBackend",
    # ModelBackend, whose session user arrives with their permissions and devices in one statement.
    "accounts.backends.UserBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
# The first hasher makes new hashes; logins with an older hash (PBKDF2 before Argon2) are rehashed.
PASSWORD_HASHERS = [
    "accounts.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Issue #23: a new password revokes the user's API tokens.
    {"NAME": "accounts.passwords.ApiTokensEndWithThePassword"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
FILE_STORAGE_BACKEND = env_str("FILE_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
STORAGES = {
    # Uploaded materials are private: no MEDIA_URL is routed; files leave only through
    # permission-checked views.
    "default": {"BACKEND": FILE_STORAGE_BACKEND},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Issue #24: with FILE_STORAGE_BACKEND=storages.backends.s3.S3Storage, materials, exports and result
# files live in an S3-compatible bucket (MinIO, OSS, COS, OBS), set by django-storages' own names.
# Objects are private (no ACL: the bucket's policy, which grants nobody anonymous reads) and are
# streamed to the user by the permission-checked views, so the bucket needs no public endpoint.
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME")
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME")
AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = True
AWS_QUERYSTRING_EXPIRE = 300
# Names are never reused: a second result file of the same name and second gets its own object.
AWS_S3_FILE_OVERWRITE = False
# Should an object ever be fetched straight from the bucket, it is saved, never shown as a page.
AWS_S3_OBJECT_PARAMETERS = {"ContentDisposition": "attachment"}
if FILE_STORAGE_BACKEND.startswith("storages."):
    from botocore.config import Config

    # An unreachable store answers an upload within seconds (two attempts), not after boto3's minutes.
    AWS_S3_CLIENT_CONFIG = Config(
        s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
        signature_version="s3v4",
        connect_timeout=3,
        read_timeout=20,
        retries={"mode": "standard", "max_attempts": 2},
    )
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
MATERIAL_MAX_BYTES = 10 * 1024 * 1024
# Issue #14: no request body above this is read (a material and its form fields fit); the same cap
# is nginx's client_max_body_size in the production stack (deploy/nginx.conf).
BEIAN_MAX_REQUEST_BYTES = 11 * 1024 * 1024

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "beian@localhost")

REST_FRAMEWORK = {
    # Token first: an unauthenticated request then gets 401 with WWW-Authenticate, not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Issue #14: hashed, expiring tokens (django-rest-knox), "Authorization: Token <token>".
        "knox.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # Issue #14: JSON with bounded nesting (a deep body is a 400, not a RecursionError).
    "DEFAULT_PARSER_CLASSES": [
        "filings.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "filings.api.pagination.Pagination",
    # Issue #14: the schema lists the error answers of every operation.
    "DEFAULT_SCHEMA_CLASS": "filings.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "filings.api.errors.exception_handler",
    # Issue #14: API throttles per address (anonymous) and per user.
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    # Counted in the cache: in Redis, shared by every web node.
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON_RATE", "60/minute"),
        "user": env_str("API_THROTTLE_USER_RATE", "1200/minute"),
    },
    "PAGE_SIZE": 20,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Beian API",
    "DESCRIPTION": _("ICP 备案控制台接口"),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI is served from our own static files (the sidecar package), never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Issue #23: a PATCH documents the fields it requires (the filing's `version`) as required; the
    # split would make every field of a PATCH body optional, which the API does not accept.
    "COMPONENT_SPLIT_PATCH": False,
    "ENUM_NAME_OVERRIDES": {
        "FilingStateEnum": "filings.api.enums.FILING_STATE",
        "SubjectKindEnum": "filings.api.enums.SUBJECT_KIND",
        "DeadlineKindEnum": "filings.api.enums.DEADLINE_KIND",
        "MaterialKindEnum": "filings.api.enums.MATERIAL_KIND",
        "AppKindEnum": "filings.api.enums.APP_KIND",
    },
}

REDIS_URL = env_str("REDIS_URL")
# Sessions (below) and throttles use the cache: Redis when there is one (shared by the workers; an
# outage degrades to cache misses), else each process' memory.
CACHES = {
    "default": (
        {
            "BACKEND": "config.cache.ForgivingRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "beian",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.5},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 5000}}
    )
}
SESSION_SAVE_EVERY_REQUEST = False
# A session cache must be shared by every worker (a logout has to reach them all), so sessions
# are cached only in Redis.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db" if REDIS_URL else "django.contrib.sessions.backends.db"
)
# The embedded broker names a host it does not use: without one kombu warns at every start that
# it fell back to "localhost".
EMBEDDED_BROKER_URL = "filesystem://localhost//"
CELERY_BROKER_URL = REDIS_URL or EMBEDDED_BROKER_URL
CELERY_BROKER_TRANSPORT_OPTIONS = (
    # Publishing gives up quickly when Redis is unreachable, so a web request is not held up:
    # what it queued is picked up by the next scan.
    {
        "visibility_timeout": 3600,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        # Several installations (or test processes) on one Redis keep their queues apart.
        **(
            {"global_keyprefix": env_str("BEIAN_BROKER_KEY_PREFIX")}
            if env_str("BEIAN_BROKER_KEY_PREFIX")
            else {}
        ),
    }
    if REDIS_URL
    else {
        # The embedded broker: messages are files, so `make run` needs no server.
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
)
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery logs whatever a worker prints as WARNING lines by default: the console e-mail backend's
# messages (how e-mails show in development) would read as warnings. Printed output stays output.
CELERY_WORKER_REDIRECT_STDOUTS = False
# Issue #24: work of different kinds waits in different queues, so a long export or a statistics
# rebuild never holds up the minute's deadline scan or an alert's e-mail. Production runs a worker
# per queue group (docker-compose.yml names each worker's -Q); `make run`'s one worker takes all.
# A task no route names goes to "celery", which the notify worker also takes.
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_ROUTES = {
    "filings.tasks.scan_deadlines_task": {"queue": "scan"},
    "filings.tasks.sync_domain_expiry_task": {"queue": "scan"},
    "filings.tasks.import_registrar_expiry_task": {"queue": "scan"},
    "filings.tasks.deliver_alert_notifications_task": {"queue": "notify"},
    "filings.tasks.refresh_stats_task": {"queue": "stats"},
    "filings.tasks.refresh_risk_task": {"queue": "stats"},
    "filings.tasks.run_site_checks_task": {"queue": "stats"},
    "filings.tasks.export_xlsx_task": {"queue": "exports"},
    "filings.tasks.apply_bureau_import_task": {"queue": "exports"},
    "filings.tasks.purge_exports_task": {"queue": "exports"},
    "filings.tasks.build_package_task": {"queue": "exports"},
    "filings.tasks.purge_packages_task": {"queue": "exports"},
}
BEIAN_CELERY_QUEUES = ("scan", "notify", "stats", "exports", CELERY_TASK_DEFAULT_QUEUE)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "scan-deadlines": {"task": "filings.tasks.scan_deadlines_task", "schedule": timedelta(minutes=1)},
    "refresh-stats": {"task": "filings.tasks.refresh_stats_task", "schedule": timedelta(minutes=5)},
    "purge-exports": {"task": "filings.tasks.purge_exports_task", "schedule": timedelta(hours=1)},
    "purge-packages": {"task": "filings.tasks.purge_packages_task", "schedule": timedelta(hours=1)},
    "refresh-risk": {"task": "filings.tasks.refresh_risk_task", "schedule": timedelta(hours=1)},
    "run-site-checks": {"task": "filings.tasks.run_site_checks_task", "schedule": timedelta(minutes=1)},
    "sync-domain-expiry": {"task": "filings.tasks.sync_domain_expiry_task", "schedule": timedelta(hours=1)},
    "import-registrar-expiry": {
        "task": "filings.tasks.import_registrar_expiry_task",
        "schedule": timedelta(days=1),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "filters": {"permission_denied": {"()": "config.logging.PermissionDeniedWithoutTraceback"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["permission_denied"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's default configuration gives "django" a console handler of its own (with DEBUG on)
    # that also propagates to the root: every request warning was printed twice. One handler here.
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        # fpdf2 subsets the cover sheet's font through fontTools, which logs every glyph list at INFO.
        "fontTools": {"level": "WARNING"},
    },
}

# How many deadlines one scan transaction takes at a time (each batch commits on its own).
BEIAN_ALERT_SCAN_BATCH = env_int_default("BEIAN_ALERT_SCAN_BATCH", 500)
# How long a notification may wait for its queued email/SMS before the next scan sends it itself.
BEIAN_ALERT_DELIVERY_GRACE_SECONDS = env_int_default("BEIAN_ALERT_DELIVERY_GRACE_SECONDS", 120)
# The SMS channel for alerts; the logging one records messages without a gateway.
BEIAN_SMS_BACKEND = env_str("BEIAN_SMS_BACKEND", "filings.services.notifications.LoggingSmsBackend")
# Issue #25: the secret the SMS gateway sends with its delivery reports (POST /api/v1/sms/delivery-reports/,
# header X-Beian-Sms-Secret); unset, every report is refused.
BEIAN_SMS_REPORT_SECRET = env_str("BEIAN_SMS_REPORT_SECRET", "")
# How long a finished Excel export (its job and file) is kept for its owner to download.
BEIAN_EXPORT_KEEP_DAYS = env_int_default("BEIAN_EXPORT_KEEP_DAYS", 7)
# How long a bureau package (its zip holds the people's ID scans) is kept for reviewers to download.
BEIAN_PACKAGE_KEEP_DAYS = env_int_default("BEIAN_PACKAGE_KEEP_DAYS", 30)
# Issue #14: how many different phone numbers one filing, and one principal's filings together, may
# have checked against other subjects' in an hour (the rule "a phone used by another subject is
# refused" must not become a way to look numbers up).
BEIAN_PHONE_PROBES_PER_FILING = env_int_default("BEIAN_PHONE_PROBES_PER_FILING", 12)
BEIAN_PHONE_PROBES_PER_USER = env_int_default("BEIAN_PHONE_PROBES_PER_USER", 300)
# Issue #27: the rejection-risk estimate is shown only when the filing's province and type have at
# least this many decided submissions behind it.
BEIAN_RISK_MIN_CASES = env_int_default("BEIAN_RISK_MIN_CASES", 30)
# Issue #24: each process keeps a copy of the admin's calendar days and re-reads them after this many
# seconds, so a day changed on one node is answered everywhere within it (filings/rules/workdays.py).
BEIAN_CALENDAR_RECHECK_SECONDS = env_int_default("BEIAN_CALENDAR_RECHECK_SECONDS", 30)
# Footer checks may reach only public hosts in production; tests run a local server.
BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS = env_bool("BEIAN_FOOTER_ALLOW_PRIVATE_HOSTS", False)


# Issue #14: login lockout (django-axes). Ten wrong passwords in a row lock the account, and ten
# from one address lock the address, for 30 minutes (an attempt meanwhile starts the 30 again);
# an admin unlocks by deleting the access attempts in the admin.
AXES_FAILURE_LIMIT = env_int_default("AXES_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int_default("AXES_COOLOFF_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# Issue #14: API tokens are stored as SHA-512 digests, expire, and are revoked per token or per user.
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env_int_default("API_TOKEN_DAYS", 30)),
    "TOKEN_LIMIT_PER_USER": 10,
    "AUTO_REFRESH": False,
}

# Issue #14: the name authenticator apps show beside a staff member's TOTP entry.
OTP_TOTP_ISSUER = "Beian"

# Issue #14: Content-Security-Policy (django-csp): scripts, styles, images, fonts and connections from
# this site only; no inline script or style anywhere (tests/browser/test_csp.py loads every page).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        # The reviewer's page embeds uploaded PDFs (<object>), served from this site.
        "object-src": ["'self'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Where people reach this site: e-mails link to the page where the reader acts.
BEIAN_SITE_URL = env_str("BEIAN_SITE_URL", "http://127.0.0.1:8000")

# Issue #25: every published website is checked once per interval, the checks spread evenly over it.
BEIAN_SITE_CHECK_INTERVAL_HOURS = env_int_default("BEIAN_SITE_CHECK_INTERVAL_HOURS", 24 * 7)
# How many sites are fetched at once overall, and at once on one host.
BEIAN_SITE_CHECK_CONCURRENCY = env_int_default("BEIAN_SITE_CHECK_CONCURRENCY", 20)
BEIAN_SITE_CHECK_PER_HOST = env_int_default("BEIAN_SITE_CHECK_PER_HOST", 2)
# Seconds for each connect and read (and for the whole page body), and the most of a page read.
BEIAN_SITE_CHECK_TIMEOUT = env_int_default("BEIAN_SITE_CHECK_TIMEOUT", 10)
BEIAN_SITE_CHECK_MAX_BYTES = env_int_default("BEIAN_SITE_CHECK_MAX_BYTES", 2_000_000)
# How many due sites one run of the scheduled task takes.
BEIAN_SITE_CHECK_BATCH = env_int_default("BEIAN_SITE_CHECK_BATCH", 1000)
# Failures in a row after which managers hear of a site; days unreachable after which the site is
# proposed for cancellation as a shell site (空壳网站).
BEIAN_SITE_ESCALATE_AFTER = env_int_default("BEIAN_SITE_ESCALATE_AFTER", 3)
BEIAN_SITE_SHELL_AFTER_DAYS = env_int_default("BEIAN_SITE_SHELL_AFTER_DAYS", 30)
# A failing site is checked again within this many hours (not a week later), so a fix closes its
# rectification soon; the rotation is the one scheduler of footer checks.
BEIAN_SITE_RECHECK_FAILING_HOURS = env_int_default("BEIAN_SITE_RECHECK_FAILING_HOURS", 24)
# Issue #25: the registrar adapter (dotted path of a filings.jobs.registrars.RegistrarAdapter subclass)
# the daily import reads domains' expiry dates from; unset, dates are entered or imported from files.
BEIAN_REGISTRAR_ADAPTER = env_str("BEIAN_REGISTRAR_ADAPTER", "")
