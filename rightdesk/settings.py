"""Rightdesk settings: one module, configured from the environment only."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import dj_database_url

from rightdesk.config import data_dir, env_bool, env_int, env_list, env_str, secret_key

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

SECRET_KEY = secret_key()
#: Earlier keys, still accepted for signatures and sealed secrets while they are rotated out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "huey.contrib.djhuey",
    "rightdesk.core",
    "rightdesk.accounts",
    "rightdesk.customers",
    "rightdesk.tickets",
    "rightdesk.search",
    "rightdesk.desk",
    "rightdesk.sla",
    "rightdesk.notifications",
    "rightdesk.commitments",
    "rightdesk.commerce",
    "rightdesk.custody",
    "rightdesk.channels",
    "rightdesk.quality",
    "rightdesk.portal",
]

#: The first signs agents in; sessions begun under Django's plain model backend keep working.
AUTHENTICATION_BACKENDS = [
    "rightdesk.accounts.backends.AgentBackend",
    "django.contrib.auth.backends.ModelBackend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "rightdesk.core.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "rightdesk.core.middleware.LocalTimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "rightdesk.urls"
WSGI_APPLICATION = "rightdesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

FORM_RENDERER = "rightdesk.core.forms.FormRenderer"


def _database() -> dict[str, Any]:
    url = env_str("DATABASE_URL")
    if url:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("OPTIONS", {})
            config["CONN_HEALTH_CHECKS"] = True
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env_str("RIGHTDESK_SQLITE", str(DATA_DIR / "rightdesk.sqlite3")),
        "OPTIONS": {
            # WAL lets readers run beside one writer; synchronous=FULL makes a
            # committed write survive power loss; IMMEDIATE transactions take the
            # write lock up front so concurrent writers wait (busy timeout)
            # instead of failing with "database is locked" halfway through.
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=FULL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
                # Reads of a large desk stay in memory: a 32 MB page cache per
                # connection and the file memory-mapped (shared by all of them).
                "PRAGMA cache_size=-32768;"
                "PRAGMA mmap_size=268435456;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
        },
        # Keep each server thread's connection between requests: opening one
        # runs the PRAGMAs above and starts with an empty page cache.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
        "TEST": {"NAME": env_str("RIGHTDESK_TEST_SQLITE", "") or None},
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # whitenoise serves from finders; the folder must exist
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = DATA_DIR / "media"

LOGIN_URL = "/desk/login/"
LOGIN_REDIRECT_URL = "/desk/"
LOGOUT_REDIRECT_URL = "/desk/login/"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# Production hardening: on unless DEBUG or explicitly relaxed for plain-HTTP
# local serving (`rightdesk serve` on 127.0.0.1 sets RIGHTDESK_INSECURE_HTTP).
_HTTPS = not DEBUG and not env_bool("RIGHTDESK_INSECURE_HTTP", False)
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
SECURE_SSL_REDIRECT = _HTTPS and env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if _HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = _HTTPS
SECURE_HSTS_PRELOAD = _HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Rightdesk behaviour knobs that belong to deployment (business rules live in the DB).
RIGHTDESK_TICKET_PREFIX = env_str("RIGHTDESK_TICKET_PREFIX", "RD")
RIGHTDESK_UNOWNED_PROBLEM_MINUTES = env_int("RIGHTDESK_UNOWNED_PROBLEM_MINUTES", 60)
RIGHTDESK_API_TOKEN_DAYS = env_int("RIGHTDESK_API_TOKEN_DAYS", 90)
RIGHTDESK_DEFAULT_PHONE_REGION = env_str("RIGHTDESK_DEFAULT_PHONE_REGION", "US")
RIGHTDESK_MAX_UPLOAD_BYTES = env_int("RIGHTDESK_MAX_UPLOAD_BYTES", 25 * 1024 * 1024)
RIGHTDESK_PORTAL_LINK_MINUTES = env_int("RIGHTDESK_PORTAL_LINK_MINUTES", 30)
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 5 * 1024 * 1024)

# E-mail: outgoing relay (Django's names), the inbound gateway and its limits.
# Without EMAIL_HOST no mail leaves the machine: every outgoing message (replies,
# acknowledgments, agent notifications) is written as a file to DATA_DIR/mail-out,
# so an embedded install or a demo never fails on a missing mail server.
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_FILE_PATH = DATA_DIR / "mail-out"
if not EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "support@localhost")
RIGHTDESK_MAIL_DOMAIN = env_str("RIGHTDESK_MAIL_DOMAIN", "rightdesk.localhost")
RIGHTDESK_SMTPD_HOST = env_str("RIGHTDESK_SMTPD_HOST", "127.0.0.1")
RIGHTDESK_SMTPD_PORT = env_int("RIGHTDESK_SMTPD_PORT", 2525)
RIGHTDESK_MAX_MAIL_BYTES = env_int("RIGHTDESK_MAX_MAIL_BYTES", 50 * 1024 * 1024)
RIGHTDESK_MAX_ATTACHMENT_BYTES = env_int("RIGHTDESK_MAX_ATTACHMENT_BYTES", 25 * 1024 * 1024)
RIGHTDESK_MAIL_RATE_PER_HOUR = env_int("RIGHTDESK_MAIL_RATE_PER_HOUR", 30)

_REDIS_URL = env_str("REDIS_URL")
if _REDIS_URL:
    HUEY: dict[str, Any] = {
        "huey_class": "huey.RedisHuey",
        "name": "rightdesk",
        "url": _REDIS_URL,
        "immediate": False,
    }
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "rightdesk",
        "filename": str(DATA_DIR / "huey.sqlite3"),
        "immediate": False,
    }

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}
