"""Hami's one settings module: every value that differs between machines comes from the
environment (see the configuration table in README.md). The defaults are for a developer's
machine: SQLite in the project folder, an embedded Celery broker, e-mail on the console.
With DEBUG=0 the secrets and hosts must be given, or start-up fails loudly."""

from datetime import timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VERSION = "0.1.0"

env = environ.Env()


def env_bool(name: str, default: bool) -> bool:
    """A boolean variable that is neither true nor false is an error, not a silent default."""
    raw = env.str(name, default="").strip().lower()
    if raw == "":
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is neither true (1/true/yes/on) nor false (0/false/no/off)."
    )


# Off unless asked for: a deployment that forgets DEBUG must not serve debug pages with the
# published development key. `make run` and the tests turn it on.
DEBUG = env_bool("DEBUG", False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "template_partials",
    "django_filters",
    "simple_history",
    "axes",
    "csp",
    "hami",
    "centres",
    "clients",
    "placements",
    "loans",
    "dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "hami.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "centres.middleware.CentreMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "hami.context_processors.hami",
                "placements.context_processors.follow_ups",
            ],
            "builtins": [
                "django.templatetags.i18n",
                "django.templatetags.static",
                "hami.templatetags.hami",
                "centres.templatetags.access",
            ],
        },
    },
]

# Databases: DATABASE_URL (postgres://…) in production; SQLite in the project folder
# otherwise, in WAL mode with IMMEDIATE transactions so concurrent writers wait their turn.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'hami.sqlite3'}"),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "hami.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# django-axes: five failed logins lock the username from that address for a while.
AXES_FAILURE_LIMIT = env.int("HAMI_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("HAMI_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_CALLABLE = "config.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_PROXY_COUNT = env.int("HAMI_PROXY_COUNT", default=0)

# Languages: Persian is the default for everyone until they choose English.
LANGUAGE_CODE = "fa"
LANGUAGES = [("fa", _("Persian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "hami_language"
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365
USE_I18N = True
TIME_ZONE = "Asia/Tehran"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
    # Client lists uploaded for import wait here between the preview and the background
    # task that imports them: with several app servers or workers, a folder they all
    # mount (or another Django storage backend they all reach).
    "imports": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str("HAMI_IMPORT_DIR", default=str(BASE_DIR / "var" / "imports")),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
    # Documents of centre-opening applications (licences, leases, certificates): private,
    # never served as static or media files; only the national office reads them, through
    # a view. With several app servers, a folder they all mount (or another backend).
    "applications": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": env.str(
                "HAMI_APPLICATION_DIR", default=str(BASE_DIR / "var" / "applications")
            ),
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    },
}

# The cache holds the public pages' throttling counters: shared through Redis when there
# is one (every app server counts together), in each process's memory otherwise.
if env.str("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env.str("REDIS_URL"),
            "KEY_PREFIX": "hami",
        }
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Hami <hami@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Text messages to clients (django-sms): written to the console unless a provider's backend
# is named, e.g. SMS_BACKEND=sms.backends.twilio.SmsBackend with its own settings.
SMS_BACKEND = env.str("SMS_BACKEND", default="sms.backends.console.SmsBackend")
DEFAULT_FROM_SMS = env.str("DEFAULT_FROM_SMS", default="Hami")

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport in a folder
# under the project, so `make run` needs nothing but Python.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_DIR = BASE_DIR / "var" / "celery"
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / "var" / "celerybeat-schedule")
# The daily sweeps (follow-ups, arrears) join this schedule with the apps that own them.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}
# Loans: days past due, defaults and arrears follow-ups, every night (Tehran time).
CELERY_BEAT_SCHEDULE["loans-update-arrears"] = {
    "task": "loans.tasks.update_arrears",
    "schedule": crontab(hour=1, minute=30),
}
# Centres: approved centres open on their opening day, just after midnight.
CELERY_BEAT_SCHEDULE["centres-open-due-centres"] = {
    "task": "centres.tasks.open_due_centres",
    "schedule": crontab(hour=0, minute=5),
}

# Placements: follow-ups move to due/overdue, digests, escalations and text messages, every
# morning before the centres open (Tehran time).
CELERY_BEAT_SCHEDULE["placements-sweep-follow-ups"] = {
    "task": "placements.tasks.sweep_follow_ups",
    "schedule": crontab(hour=7, minute=0),
}

# Security. Behind a TLS-terminating proxy set HAMI_BEHIND_TLS_PROXY=1.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 10
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
if env_bool("HAMI_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}, "axes": {"level": "WARNING"}},
}

# Hami's own knobs.
HAMI_MONEY_UNIT = env.str("HAMI_MONEY_UNIT", default="toman")
if HAMI_MONEY_UNIT not in {"toman", "rial"}:
    raise ImproperlyConfigured("HAMI_MONEY_UNIT must be 'toman' or 'rial'.")
HAMI_FOLLOW_UP_MONTHS = [
    int(m) for m in env.list("HAMI_FOLLOW_UP_MONTHS", default=["1", "3", "6", "12"])
]
HAMI_MAX_TRAINING_CAPACITY = 60
# A follow-up can be recorded from this many days before its due date to this many days
# after (then it is overdue); the centre manager hears of it once it has been overdue this
# many days more.
HAMI_FOLLOW_UP_OPENS_DAYS_BEFORE = env.int("HAMI_FOLLOW_UP_OPENS_DAYS_BEFORE", default=7)
HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER = env.int("HAMI_FOLLOW_UP_OVERDUE_DAYS_AFTER", default=14)
HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE = env.int("HAMI_FOLLOW_UP_ESCALATE_DAYS_OVERDUE", default=30)
# The client's text message ("the centre will call you on …") goes this many days ahead.
HAMI_FOLLOW_UP_SMS_DAYS_BEFORE = env.int("HAMI_FOLLOW_UP_SMS_DAYS_BEFORE", default=3)

# Loans: an installment may take at most this share of the plan's projected monthly profit
# (sizing), and a loan this many days behind is defaulted (the daily arrears task).
try:
    HAMI_AFFORDABILITY_RATIO = Decimal(env.str("HAMI_AFFORDABILITY_RATIO", default="0.5"))
    _ratio_ok = HAMI_AFFORDABILITY_RATIO.is_finite() and 0 < HAMI_AFFORDABILITY_RATIO <= 1
except InvalidOperation:
    _ratio_ok = False
if not _ratio_ok:
    raise ImproperlyConfigured("HAMI_AFFORDABILITY_RATIO must be a fraction above 0, at most 1.")
HAMI_DEFAULT_DAYS = env.int("HAMI_DEFAULT_DAYS", default=180)

# Centre-opening applications: the public form and the tracking-code page accept this many
# posts an hour from one address (then they answer 429), and the first manager's invitation
# link works for this many days.
HAMI_APPLY_POSTS_PER_HOUR = env.int("HAMI_APPLY_POSTS_PER_HOUR", default=10)
HAMI_TRACK_POSTS_PER_HOUR = env.int("HAMI_TRACK_POSTS_PER_HOUR", default=30)
HAMI_INVITATION_DAYS = env.int("HAMI_INVITATION_DAYS", default=7)
# The site's address as people reach it, for links in e-mails (follow-up digests, the
# manager's invitation).
HAMI_SITE_URL = env.str("HAMI_SITE_URL", default="http://127.0.0.1:8000" if DEBUG else "")
