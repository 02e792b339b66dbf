"""Django settings for Patto, read from the environment: one module for demo, tests, production."""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
# The checkout root in a development install; overridable where the package is installed elsewhere.
BASE_DIR = Path(os.environ.get("PATTO_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("PATTO_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
PRODUCTION = env_bool("PATTO_PRODUCTION", False)

# The key signs sessions, CSRF tokens and donors' statement links: a known key lets anyone
# forge them. Keys once published with the code are refused everywhere. Without SECRET_KEY the
# platform starts only under pytest (a random key per process; pytest >= 8.2 sets
# PYTEST_VERSION for its run and the processes it starts), with DEBUG=1 or with PATTO_DEMO=1
# (a random key made once in var/secret_key, readable by its owner only), never with
# PATTO_PRODUCTION=1.
PUBLISHED_KEYS = {"insecure-development-key-set-SECRET_KEY-in-production"}
UNDER_PYTEST = "PYTEST_VERSION" in os.environ


def local_secret_key(path: Path) -> str:
    """The key kept in ``path``, made on first use (atomically: two processes starting
    together agree on one key)."""
    import secrets
    import tempfile

    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")
        try:
            with os.fdopen(handle, "w") as out:  # mkstemp makes it 0600
                out.write(secrets.token_urlsafe(50))
            try:
                os.link(draft, path)  # fails if another process made it first
            except FileExistsError:
                pass
        finally:
            os.unlink(draft)
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 50:
        raise ImproperlyConfigured(f"{path} holds no usable key: delete it to make a new one.")
    return key


SECRET_KEY = os.environ.get("SECRET_KEY", "")
if SECRET_KEY in PUBLISHED_KEYS:
    raise ImproperlyConfigured(
        "SECRET_KEY is a key published with Patto's code: anyone can sign with it. Export "
        "SECRET_KEY with a long random value, e.g. "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
    )
if not SECRET_KEY:
    if PRODUCTION or not (DEBUG or UNDER_PYTEST or env_bool("PATTO_DEMO")):
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Export SECRET_KEY with a long random value, e.g. "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'; for the demo or "
            "development, set PATTO_DEMO=1 or DEBUG=1 instead (a key is then made in var/)."
        )
    if UNDER_PYTEST and not (DEBUG or env_bool("PATTO_DEMO")):
        import secrets

        SECRET_KEY = secrets.token_urlsafe(50)
    else:
        SECRET_KEY = local_secret_key(VAR_DIR / "secret_key")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "import_export",
    "django_filters",
    "django_tasks",
    "django_tasks_db",
    "django_fsm",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "patto.core",
    "patto.pact",
    "patto.projects",
    "patto.monitoring",
    "patto.funds",
    "patto.governance",
    "patto.instruments",
    "patto.participation",
    "patto.api",
    "patto.site",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "patto.core.middleware.SessionLimitsMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    # Innermost: a cached public page skips the view, the outer layers still add headers.
    "patto.core.cache.PublicPageCacheMiddleware",
]

ROOT_URLCONF = "patto.urls"
WSGI_APPLICATION = "patto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "patto.site.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'patto.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the timeout waits for the lock.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "site:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "pact:home"

# Login lockout for an hour: five failures lock a username from an address, and five failures
# from one address lock that address, whatever usernames it tried.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = ["ip_address", ["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The client's address: REMOTE_ADDR, or behind N reverse proxies of ours the address the
# farthest one saw, read from X-Forwarded-For (which the client could otherwise forge).
PATTO_TRUSTED_PROXY_COUNT = int(os.environ.get("PATTO_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "patto.core.middleware.client_ip"

LANGUAGE_CODE = "it"
LANGUAGES = [("it", _("Italian")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Rome"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
ASSETS_DIR = Path(os.environ.get("PATTO_ASSETS_DIR", BASE_DIR / "node_modules"))
# Front-end libraries come from npm (package-lock.json) and are served by the app itself: only
# the files that templates and stylesheets use (`{% static %}`, url() in patto/fonts.css), not
# the packages' dist folders with every build variant and source map. The CSS source map stays:
# the stylesheet names it and the manifest storage resolves every name.
_TITILLIUM = "fonts/Titillium_Web/titillium-web-v10-latin-ext_latin"
VENDOR_FILES = {
    "vendor/bootstrap-italia": (ASSETS_DIR / "bootstrap-italia" / "dist", [
        "css/bootstrap-italia.min.css", "css/bootstrap-italia.min.css.map",
        "js/bootstrap-italia.bundle.min.js", "svg/sprites.svg",
        *(f"{_TITILLIUM}-{style}.woff2" for style in ("300", "regular", "italic", "600", "700")),
        "fonts/Roboto_Mono/roboto-mono-v13-latin-ext_latin-regular.woff2",
        "fonts/Lora/lora-v20-latin-ext_latin-regular.woff2",
        "fonts/Titillium_Web/OFL.txt", "fonts/Roboto_Mono/LICENSE.txt", "fonts/Lora/OFL.txt",
    ]),
    "vendor/echarts": (ASSETS_DIR / "echarts" / "dist", ["echarts.min.js"]),
    "vendor/htmx": (ASSETS_DIR / "htmx.org" / "dist", ["htmx.min.js"]),
}
STATICFILES_DIRS = []
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "patto.core.staticfiles.VendorFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("PATTO_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
MEDIA_URL = "/media/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

_redis_url = os.environ.get("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _redis_url}
        if _redis_url
        # Shared between the web server and the worker without another service.
        else {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
              "LOCATION": str(VAR_DIR / "cache"),
              # Room for the public pages; culling drops a third of the files when full.
              "OPTIONS": {"MAX_ENTRIES": 20_000}}
    )
}

# Background work: on Redis's queue (RQ) when REDIS_URL is set, else in the database.
if os.environ.get("PATTO_TASK_BACKEND"):
    _task_backend = os.environ["PATTO_TASK_BACKEND"]
elif _redis_url:
    _task_backend = "django_tasks_rq.RQBackend"
else:
    _task_backend = "django_tasks_db.DatabaseBackend"
TASKS = {"default": {"BACKEND": _task_backend, "QUEUES": ["default"]}}
if _task_backend == "django_tasks_rq.RQBackend":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {"default": {"URL": _redis_url or "redis://127.0.0.1:6379/0",
                             "DEFAULT_TIMEOUT": int(os.environ.get("PATTO_IMPORT_TIMEOUT",
                                                                   3600))}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "patto@localhost")
# The site's public address, for links in e-mails (sign-up, reports); empty: relative links.
PATTO_SITE_URL = os.environ.get("PATTO_SITE_URL", "")

# Security headers. A strict policy: scripts and styles only from this site, inline
# scripts only with the per-response nonce.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# A signed-in session ends 8 hours after sign-in and after 1 hour without a request
# (patto.core.middleware.SessionLimitsMiddleware); the cookie lasts no longer either.
PATTO_SESSION_MAX_SECONDS = int(float(os.environ.get("PATTO_SESSION_HOURS", "8")) * 3600)
PATTO_SESSION_IDLE_SECONDS = int(float(os.environ.get("PATTO_SESSION_IDLE_MINUTES", "60")) * 60)
SESSION_COOKIE_AGE = PATTO_SESSION_MAX_SECONDS
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

IMPORT_EXPORT_USE_TRANSACTIONS = True
# The admin's exports too: a cell that a spreadsheet would run as a formula goes out as text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The pact shown on the home page when several live side by side; empty: the latest signed.
PATTO_DEFAULT_PACT = os.environ.get("PATTO_DEFAULT_PACT", "")
# Marks the demo's example data on every page.
PATTO_DEMO = env_bool("PATTO_DEMO", False)
# How stored progress statuses are computed (patto.monitoring.assessments): "opensdg", as
# sdg-build 2.4 computes them from each indicator's progress options; "per_series", Patto's
# earlier mean over every total series of the pact's territory. `patto reassess` after a change.
PATTO_ASSESSMENT_METHOD = os.environ.get("PATTO_ASSESSMENT_METHOD", "opensdg")

# Upload limits of the one import pipeline (patto.core.importing): the file's size, an XLSX
# workbook's size once uncompressed (checked before it is parsed), rows and cells per row; how
# many problems a rejected import lists (the others are counted); how long a job may stay
# queued or running before it is failed as stopped.
PATTO_UPLOAD_MAX_BYTES = int(os.environ.get("PATTO_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))
PATTO_UPLOAD_MAX_UNCOMPRESSED_BYTES = int(
    os.environ.get("PATTO_UPLOAD_MAX_UNCOMPRESSED_BYTES", 100 * 1024 * 1024))
PATTO_UPLOAD_MAX_ROWS = int(os.environ.get("PATTO_UPLOAD_MAX_ROWS", 100_000))
PATTO_UPLOAD_MAX_CELLS = int(os.environ.get("PATTO_UPLOAD_MAX_CELLS", 200))
PATTO_IMPORT_MAX_PROBLEMS = int(os.environ.get("PATTO_IMPORT_MAX_PROBLEMS", 200))
PATTO_IMPORT_TIMEOUT = int(os.environ.get("PATTO_IMPORT_TIMEOUT", 3600))
# Public pages cached whole for visitors who are not signed in (patto.core.cache); 0 turns the
# cache off, e.g. to measure rendering with `patto bench pages`.
PATTO_PAGE_CACHE = env_bool("PATTO_PAGE_CACHE", True)
# Set by `patto bench pages` for its own server only: a bare view at /_bench/bare/ that the
# pages are compared with. Never set in a real deployment.
PATTO_BENCH = env_bool("PATTO_BENCH", False)

# --- Open-data REST API (patto.api): begin ------------------------------------------------
# Reads are public; writes need a scoped token (patto.api.models.ApiToken). Every error has
# one shape (patto.api.errors). Rates per address without a token, per owner with one, and
# for writes on top; change them with PATTO_API_RATE_ANON, _TOKEN, _WRITES ("N/minute").
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["patto.api.authentication.TokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["patto.api.throttling.AnonThrottle",
                                 "patto.api.throttling.TokenThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "anon": os.environ.get("PATTO_API_RATE_ANON", "120/minute"),
        "user": os.environ.get("PATTO_API_RATE_TOKEN", "600/minute"),
        "writes": os.environ.get("PATTO_API_RATE_WRITES", "60/minute"),
    },
    "EXCEPTION_HANDLER": "patto.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Patto – open data API",
    "DESCRIPTION": (
        "Public, read-only data of the pacts (parties, territory, projects with their sheet, "
        "indicators, observations, stored assessments, funds' public movements) and the writes "
        "that referents and systems make with a scoped token (progress reports, indicator "
        "values). Lists are paginated (page, page_size), filtered and ordered (ordering). Reads "
        "carry an ETag: send it back in If-None-Match for a 304. Every error reads "
        '{"error": {"status", "code", "message", "details": [...]}}.'),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProjectStatusEnum": "patto.projects.models.Project.Status",
        "ReportStatusEnum": "patto.projects.models.ProjectUpdate.Status",
        "TerritoryKindEnum": "patto.pact.models.Territory.Kind",
        "InstrumentKindEnum": "patto.pact.models.Instrument.Kind",
        "FundKindEnum": "patto.funds.models.Fund.Kind",
        "MovementKindEnum": "patto.funds.models.Movement.Kind",
        "IndicatorLevelEnum": "patto.monitoring.models.Indicator.Level",
        "TargetLevelEnum": "patto.monitoring.models.Target.Level",
    },
}
# --- Open-data REST API (patto.api): end --------------------------------------------------
