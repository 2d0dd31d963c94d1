"""newsarchive settings: one env-driven module with safe development defaults.

Production is DEBUG off; then SECRET_KEY must come from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from python_ipware import IpWare

from . import sqlite_library  # noqa: F401 (before Django imports its SQLite backend)

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def cache_from_url(url):
    if not url or url.startswith("locmem://"):
        return {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "newsarchive",
            "TIMEOUT": 300,
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    if url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "TIMEOUT": 300,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "newsarchive"),
        }
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, unix:// or locmem://: {url}"
    )


def env_list(name, default):
    value = os.environ.get(name)
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


DEBUG = env_bool("DEBUG", True)
# Development only: a fixed key is harmless while DEBUG is on and the site is not public
# (scripts/run.sh says so when it serves). Keys anyone can read are refused in production:
# this one, the placeholder of deploy/env.example and startproject's throwaway ones.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105
PUBLIC_SECRET_KEYS = (DEVELOPMENT_SECRET_KEY, "change-me", "django-insecure-")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and (not SECRET_KEY or SECRET_KEY.startswith(PUBLIC_SECRET_KEYS)):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in the environment when DEBUG is off, to a long random "
        "string of your own (not the development key or an example's placeholder)."
    )
SECRET_KEY = SECRET_KEY or DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "taggit",
    # Admin editing (issue 7): the body editor's static files and revision history.
    "django_prose_editor",
    "reversion",
    "articles",
]

MIDDLEWARE = [
    "newsarchive.observability.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "newsarchive.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "articles.middleware.OldAddressRedirectMiddleware",
]

ROOT_URLCONF = "newsarchive.urls"
WSGI_APPLICATION = "newsarchive.wsgi.application"

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
            ],
        },
    },
]

# SQLite by default; PostgreSQL (or anything dj-database-url knows) when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the importer writes; IMMEDIATE takes the write lock at
    # BEGIN so a reader-then-writer transaction waits on busy_timeout instead of failing
    # with "database is locked" when it upgrades its lock under gunicorn. Connections are
    # kept (CONN_MAX_AGE) so a request does not re-open the file and re-run the pragmas.
    busy_seconds = int(os.environ.get("SQLITE_BUSY_SECONDS", "20"))
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": busy_seconds,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            f"PRAGMA busy_timeout={busy_seconds * 1000};"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("SQLITE_TEST_NAME") or None}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded and mirrored files. On several machines MEDIA_ROOT is shared storage (an NFS mount
# or an S3-compatible bucket through django-storages); see the README's production section.
MEDIA_URL = os.environ.get("MEDIA_URL", "media/")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Image mirroring (manage.py mirror_images): limits per picture, politeness per host, and
# the widths of the WebP copies offered in srcset.
NEWSARCHIVE_MIRROR_TIMEOUT = float(os.environ.get("NEWSARCHIVE_MIRROR_TIMEOUT", "10"))
NEWSARCHIVE_MIRROR_MAX_BYTES = int(os.environ.get("NEWSARCHIVE_MIRROR_MAX_BYTES", 20 * 2**20))
NEWSARCHIVE_MIRROR_MAX_PIXELS = int(os.environ.get("NEWSARCHIVE_MIRROR_MAX_PIXELS", 50_000_000))
NEWSARCHIVE_MIRROR_HOST_INTERVAL = float(os.environ.get("NEWSARCHIVE_MIRROR_HOST_INTERVAL", "0.2"))
# Off: a crawled URL must not make the server fetch from its own network.
NEWSARCHIVE_MIRROR_ALLOW_PRIVATE = env_bool("NEWSARCHIVE_MIRROR_ALLOW_PRIVATE", False)
NEWSARCHIVE_IMAGE_WIDTHS = (320, 640, 1280)
# Media files from Django itself unless a web server serves MEDIA_ROOT (deploy/nginx does).
NEWSARCHIVE_SERVE_MEDIA = env_bool("NEWSARCHIVE_SERVE_MEDIA", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Media on any S3-compatible store (django-storages) when a bucket is named; credentials come
# from the usual AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY variables.
if os.environ.get("MEDIA_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["MEDIA_S3_BUCKET"],
            "endpoint_url": os.environ.get("MEDIA_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("MEDIA_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": False,  # public pictures, stable URLs the page cache can keep
            "file_overwrite": False,
        },
    }

# Zone used for front-matter dates that carry none (import_articles --timezone overrides it).
NEWSARCHIVE_IMPORT_TIMEZONE = os.environ.get("NEWSARCHIVE_IMPORT_TIMEZONE", TIME_ZONE)

# What one imported file may make (articles/importing/limits.py says why each exists); a file
# past one fails alone (images: the rows past it are not kept).
NEWSARCHIVE_MAX_FILE_BYTES = int(os.environ.get("NEWSARCHIVE_MAX_FILE_BYTES", "5242880"))
NEWSARCHIVE_MAX_CATEGORIES = int(os.environ.get("NEWSARCHIVE_MAX_CATEGORIES", "50"))
NEWSARCHIVE_MAX_CATEGORY_DEPTH = int(os.environ.get("NEWSARCHIVE_MAX_CATEGORY_DEPTH", "10"))
NEWSARCHIVE_MAX_TAGS = int(os.environ.get("NEWSARCHIVE_MAX_TAGS", "200"))
NEWSARCHIVE_MAX_IMAGES = int(os.environ.get("NEWSARCHIVE_MAX_IMAGES", "500"))
NEWSARCHIVE_MAX_EXTRA_KEYS = int(os.environ.get("NEWSARCHIVE_MAX_EXTRA_KEYS", "100"))
NEWSARCHIVE_MAX_EXTRA_CHARS = int(os.environ.get("NEWSARCHIVE_MAX_EXTRA_CHARS", "100000"))
NEWSARCHIVE_MAX_FRONT_MATTER_SIZE = int(
    os.environ.get("NEWSARCHIVE_MAX_FRONT_MATTER_SIZE", "1000000")
)
# The admin must open, preview and save the largest article an import may make. Its form
# posts 7 fields per image row (id, article, position, src, alt, caption, DELETE), one per
# category and about 40 of its own; Django's 1,000 refused articles of ~140 images with a 400.
# The body may be as large as the largest file, the image rows come on top (nginx allows 20m).
DATA_UPLOAD_MAX_NUMBER_FIELDS = (
    8 * NEWSARCHIVE_MAX_IMAGES + NEWSARCHIVE_MAX_CATEGORIES * NEWSARCHIVE_MAX_CATEGORY_DEPTH + 200
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * NEWSARCHIVE_MAX_FILE_BYTES + 2 * 1024 * 1024

# Production hardening: on whenever DEBUG is off. TLS ends at the proxy in front of gunicorn.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REFERRER_POLICY = "same-origin"

# One line per record on stderr (gunicorn's error log, journald under systemd), each with the
# id of the request it belongs to: Django logs every 5xx on django.request, the importer logs
# each run on articles.importing.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "newsarchive.observability.RequestIdFilter"}},
    "formatters": {
        "line": {
            "()": "newsarchive.observability.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # A line per import run in production's log; a terminal already shows the summary.
        "articles.importing": {
            "level": os.environ.get("IMPORT_LOG_LEVEL", "WARNING" if DEBUG else "INFO")
        },
    },
}

TAGGIT_CASE_INSENSITIVE = True

# --- Public site (issue 4): caching, conditional GET, templates ---------------------------
# What readers are served is cached on the content version (articles.cache_version), so
# a per-process LocMemCache is correct with any number of workers. CACHE_URL=redis://host:
# port/db shares one cache between workers and machines (scripts/redis.sh starts one).
CACHES = {"default": cache_from_url(os.environ.get("CACHE_URL", ""))}
# ETag/Last-Modified -> 304 for every GET (feeds, sitemap, robots); article pages also answer
# conditional requests themselves before rendering.
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.common.CommonMiddleware") + 1,
    "django.middleware.http.ConditionalGetMiddleware",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("articles.context_processors.site")
NEWSARCHIVE_PAGE_SIZE = int(os.environ.get("NEWSARCHIVE_PAGE_SIZE", "20"))
NEWSARCHIVE_FEED_SIZE = int(os.environ.get("NEWSARCHIVE_FEED_SIZE", "20"))
# Every write is seen at once (the caches are keyed on the content version); these bound how
# long a cached page or count may outlive a change that no write makes: an article whose
# publish time or window starts or ends.
NEWSARCHIVE_NAV_CACHE_SECONDS = int(os.environ.get("NEWSARCHIVE_NAV_CACHE_SECONDS", "300"))
# The header menu, the home page and a category page show this many categories of a
# level (the biggest); the rest are on the paginated category index.
NEWSARCHIVE_NAV_CATEGORIES = int(os.environ.get("NEWSARCHIVE_NAV_CATEGORIES", "12"))
NEWSARCHIVE_CATEGORY_INDEX_SIZE = int(os.environ.get("NEWSARCHIVE_CATEGORY_INDEX_SIZE", "100"))
# Whole public pages for visitors without a session (0 turns it off).
NEWSARCHIVE_PAGE_CACHE_SECONDS = int(os.environ.get("NEWSARCHIVE_PAGE_CACHE_SECONDS", "120"))
# Reads the content version once per request, before any page or count is looked up.
MIDDLEWARE.insert(0, "articles.cache_version.RequestScopeMiddleware")
# --- end public site ----------------------------------------------------------------------

# --- Security (issue 6): CSP, login throttling, password hashing ---------------------------
# Content-Security-Policy (django-csp 4.x format). No inline script anywhere; remote images
# stay allowed because article bodies hot-link the news sites' image hosts (http ones too).
# newsarchive.csp adds 'unsafe-inline' styles for /admin/ only (see its docstring).
INSTALLED_APPS += ["csp", "newsarchive.apps.AxesConfig"]  # axes, with a Chinese admin name
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "newsarchive.csp.SitePolicyMiddleware",
)
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "https:", "http:", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# django-axes: lock a username from one address after 5 failed logins, for an hour. By
# username+address, not address alone, so one guesser cannot lock every editor behind a
# shared NAT or the proxy out. Its middleware must come last; its backend first.
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The proxies in front of gunicorn (addresses, CIDRs or prefixes, outermost first): only a
# request arriving through them has its X-Forwarded-For believed (newsarchive/client_ip.py).
# deploy/env.example sets 127.0.0.1 for the documented nginx on the same machine.
NEWSARCHIVE_TRUSTED_PROXIES = env_list("NEWSARCHIVE_TRUSTED_PROXIES", [])
IpWare(proxy_list=NEWSARCHIVE_TRUSTED_PROXIES)  # a malformed entry stops start-up, not a login
AXES_CLIENT_IP_CALLABLE = "newsarchive.client_ip.client_ip"
# Argon2id first; the others stay so that existing hashes still verify (and are upgraded on
# the next login).
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# --- end security -------------------------------------------------------------------------
