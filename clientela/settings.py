"""Clientela's one settings module.

Every value a deployment may change is read from the environment through the
typed readers in ``clientela.env`` (documented in docs/deploy.md); a bad value
stops start-up with a message naming the variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

from clientela.env import (
    ConfigError,
    env_bool,
    env_cache_url,
    env_choice,
    env_email_url,
    env_int,
    env_list,
    env_networks,
    env_phone_region,
    env_rate,
    env_return_address,
    env_sms_url,
    env_str,
    env_tasks_url,
    env_time_zone,
    production_errors,
)

# Lets the typed generics of django-stubs (``ModelAdmin[Team]``, ``SetPasswordForm[User]``)
# be subscripted at run time, where Django's own classes are not generic.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("CLIENTELA_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()

#: A production deployment (docs/deploy.md): the settings below cannot be made unsafe
#: there, and the safe ones (HTTPS only, secure cookies, HSTS) are on by default.
PRODUCTION = env_bool("CLIENTELA_PRODUCTION", False)
DEBUG = env_bool("CLIENTELA_DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if PRODUCTION:
    production_errors(debug=DEBUG, secret_key=SECRET_KEY)
if not SECRET_KEY:
    SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 - local development only
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "clientela.core.apps.ClientelaAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_countries",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "ninja",  # serves the API docs' JavaScript from static files, not a CDN
    "csp",
    "clientela.core",
    "clientela.contacts",
    "clientela.activities",
    "clientela.sales",
    "clientela.service",
    "clientela.marketing",
    "clientela.analytics",
    "clientela.automation",
    "clientela.integrations",
]

MIDDLEWARE = [
    "clientela.core.middleware.RoomyStackMiddleware",
    "clientela.core.middleware.LongQueryMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so the pages the middleware below answer with (a 400, a redirect) get it too.
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "clientela.core.middleware.UserPreferencesMiddleware",
    "clientela.core.middleware.NulQueryMiddleware",
    "clientela.core.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "clientela.urls"
WSGI_APPLICATION = "clientela.wsgi.application"
AUTH_USER_MODEL = "core.User"
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "core:login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "clientela.core.context_processors.navigation",
            ],
        },
    },
]

# --- database: DATABASE_URL, else a SQLite file in the data directory (WAL mode) ---
_default_db = f"sqlite:///{DATA_DIR / 'clientela.sqlite3'}"
try:
    _db = dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)
except Exception as exc:  # dj_database_url raises plain ValueError/KeyError on junk
    raise ConfigError(f"DATABASE_URL is not a usable database URL: {exc}") from None
if _db["ENGINE"] == "django.db.backends.sqlite3":
    Path(_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Keep each thread's connection open across requests: opening the file and running
    # the PRAGMAs below cost more than a whole API read. In autocommit mode an idle
    # connection holds no lock and no snapshot, so it sees other processes' writes.
    _db["CONN_MAX_AGE"] = None
    _db["OPTIONS"] = {
        # WAL lets readers run beside the one writer; IMMEDIATE avoids "database is locked"
        # surprises when a read transaction later tries to write.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA busy_timeout=5000; PRAGMA cache_size=-64000; PRAGMA mmap_size=268435456;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    _db.setdefault("TEST", {})
elif _db["ENGINE"] not in {"django.db.backends.postgresql"}:
    raise ConfigError("DATABASE_URL must point to SQLite (sqlite:///path) or PostgreSQL")
# A kept connection that broke (database restarted, file unreachable) is replaced at the
# start of the next request instead of failing it.
_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Refuses every login from an address that failed too often, whatever the user name.
    "clientela.core.auth_limits.AddressLockoutBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- lock-out after repeated failed logins (django-axes) ---
AXES_FAILURE_LIMIT = env_int("CLIENTELA_LOGIN_FAILURE_LIMIT", 5, minimum=1)
CLIENTELA_LOGIN_COOLOFF_MINUTES = env_int("CLIENTELA_LOGIN_COOLOFF_MINUTES", 15, minimum=1)
AXES_COOLOFF_TIME = CLIENTELA_LOGIN_COOLOFF_MINUTES / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/auth/locked_out.html"
AXES_LOCKOUT_CALLABLE = "clientela.core.auth_limits.lockout_response"
AXES_CLIENT_IP_CALLABLE = "clientela.core.client_ip.client_ip"
AXES_RESET_ON_SUCCESS = True
# Tries made while locked out are refused without counting, so the lock-out ends one
# cool-off after it began: otherwise anyone could keep an account locked for ever.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
#: Failed logins from one address, whatever the user names, within a cool-off before
#: every login from it is refused for the rest of it (axes counts per name and address).
CLIENTELA_LOGIN_IP_FAILURE_LIMIT = env_int("CLIENTELA_LOGIN_IP_FAILURE_LIMIT", 50, minimum=1)

# --- the client's address and the rate limits (core/client_ip.py, core/rate_limits.py) ---
#: Reverse proxies whose X-Forwarded-For is believed (addresses or networks).
CLIENTELA_TRUSTED_PROXIES = env_networks("CLIENTELA_TRUSTED_PROXIES")
#: Where the rate-limit counts live, so every web process sees the same ones: the
#: database by default, Redis when it is there (core/rate_limits.py). A store that is
#: down lets requests through (and is logged) rather than refuse all.
CLIENTELA_RATE_STORE = env_cache_url("CLIENTELA_CACHE_URL", "db://")
CLIENTELA_API_RATE_PER_TOKEN = env_rate("CLIENTELA_API_RATE_PER_TOKEN", "600/m")
CLIENTELA_API_RATE_PER_IP = env_rate("CLIENTELA_API_RATE_PER_IP", "1200/m")
CLIENTELA_API_AUTH_FAILURE_RATE = env_rate("CLIENTELA_API_AUTH_FAILURE_RATE", "30/m")
CLIENTELA_PASSWORD_RESET_RATE_PER_EMAIL = env_rate("CLIENTELA_PASSWORD_RESET_RATE_PER_EMAIL", "3/h")
CLIENTELA_PASSWORD_RESET_RATE_PER_IP = env_rate("CLIENTELA_PASSWORD_RESET_RATE_PER_IP", "10/h")

# --- two-factor login (django-otp): the name authenticator apps show for the account ---
OTP_TOTP_ISSUER = env_str("CLIENTELA_TOTP_ISSUER", "Clientela")

# --- i18n: English and Spanish; each user picks language and time zone ---
# The installation's language: pages before login (when the browser asks for none we
# offer) and the names of what `migrate` creates (the default pipeline and its stages);
# the company profile's language, once set, is the default of new users and people and
# of the demo data.
LANGUAGE_CODE = env_choice("CLIENTELA_LANGUAGE", "en", ("en", "es"))
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_time_zone("CLIENTELA_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise expects it to exist
# clientela/static (our CSS/JS and the npm vendor copies) belongs to no app, so name it.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = DATA_DIR / "media"
WHITENOISE_USE_FINDERS = True

# --- e-mail ---
for _key, _value in env_email_url("EMAIL_URL", "console://").items():
    globals()[_key] = _value
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Clientela <clientela@localhost>")
#: Domains the mail server may send as: a user of one of them sends from their own
#: address; anyone else from DEFAULT_FROM_EMAIL's address under their name, with
#: Reply-To them ("*": any domain). See docs/deploy.md.
CLIENTELA_EMAIL_SEND_AS_DOMAINS = env_list("CLIENTELA_EMAIL_SEND_AS_DOMAINS")

# --- SMS (core/sms): the backend, and the limits of its public webhook ---
CLIENTELA_SMS_BACKEND = env_sms_url("CLIENTELA_SMS_URL", "console://")
#: Posts to /sms/inbound/<backend>/ per client address (the provider's few addresses
#: post every delivery report of a campaign), and those with a bad signature.
CLIENTELA_SMS_INBOUND_RATE = env_rate("CLIENTELA_SMS_INBOUND_RATE", "3000/m")
CLIENTELA_SMS_INBOUND_FAILURE_RATE = env_rate("CLIENTELA_SMS_INBOUND_FAILURE_RATE", "30/m")

# --- web-to-lead forms (marketing): posts to /forms/<slug>/ and /forms/<slug>/submit per
# client address (a person sends a form a few times at most; a script, many).
CLIENTELA_FORM_SUBMIT_RATE = env_rate("CLIENTELA_FORM_SUBMIT_RATE", "10/10m")
#: The proof of work of the forms that ask for one: leading zero bits of a SHA-256 (each
#: bit doubles the browser's work; 14 is about half a second on a phone).
CLIENTELA_FORM_POW_BITS = env_int("CLIENTELA_FORM_POW_BITS", 14, minimum=1, maximum=28)

# --- background tasks (django_tasks: the database by default, RQ on Redis at scale) ---
_tasks = env_tasks_url("CLIENTELA_TASKS_URL", "db://")
TASKS = _tasks["TASKS"]
if "RQ_QUEUES" in _tasks:
    RQ_QUEUES = _tasks["RQ_QUEUES"]
    INSTALLED_APPS += _tasks["APPS"]

# --- sessions and security ---
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("CLIENTELA_SECURE_COOKIES", PRODUCTION)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
BEHIND_HTTPS_PROXY = env_bool("CLIENTELA_BEHIND_HTTPS_PROXY", False)
if BEHIND_HTTPS_PROXY:
    # Trust the proxy's X-Forwarded-Proto so Django knows requests came in over HTTPS
    # (secure cookies, absolute URLs in e-mails). Only set this behind a proxy that
    # overwrites the header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
#: Plain-HTTP requests are redirected to HTTPS. Behind a TLS proxy Django knows a
#: request's scheme only from the proxy's header, so the redirect needs it.
SECURE_SSL_REDIRECT = env_bool("CLIENTELA_SSL_REDIRECT", PRODUCTION)
if SECURE_SSL_REDIRECT and PRODUCTION and not BEHIND_HTTPS_PROXY:
    raise ConfigError(
        "CLIENTELA_SSL_REDIRECT=true needs CLIENTELA_BEHIND_HTTPS_PROXY=true: without the "
        "proxy's X-Forwarded-Proto every request looks like plain HTTP and would be "
        "redirected forever. Set CLIENTELA_SSL_REDIRECT=false if the proxy redirects itself."
    )
#: HTTP Strict Transport Security: browsers that saw the header use only HTTPS for the
#: site for that many seconds (0 sends no header).
SECURE_HSTS_SECONDS = env_int("CLIENTELA_HSTS_SECONDS", 31_536_000 if PRODUCTION else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CLIENTELA_HSTS_INCLUDE_SUBDOMAINS", PRODUCTION)
SECURE_HSTS_PRELOAD = env_bool("CLIENTELA_HSTS_PRELOAD", PRODUCTION)
#: Content Security Policy (django-csp; docs/deploy.md, "Security headers"): the same in
#: development, tests and production, and enforced (never report-only), so a page that
#: breaks it fails its browser test. No inline script and no eval: every script is a
#: static file. Styles may be inline attributes (Bootstrap markup, FullCalendar's event
#: colours and grid heights, Chart.js) -- CSS cannot run script -- while <style>
#: elements need the page's nonce (FullCalendar takes it from the first script[nonce]).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        # data: for FullCalendar's icon font, embedded in its CSS (Chromium checks a
        # data: font as soon as the @font-face is parsed); a font cannot run script.
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}

# --- Clientela ---
CLIENTELA_PAGE_SIZE = env_int("CLIENTELA_PAGE_SIZE", 25, minimum=5)
CLIENTELA_TRASH_DAYS = env_int("CLIENTELA_TRASH_DAYS", 30, minimum=1)
#: How long dispatched domain events stay in the outbox (core.events), in days.
CLIENTELA_EVENTS_KEEP_DAYS = env_int("CLIENTELA_EVENTS_KEEP_DAYS", 30, minimum=1)
#: Modules imported at start-up that register event subscribers of their own (a
#: plug-in; the tests' subscriber that the killed-worker test counts with).
CLIENTELA_EVENT_SUBSCRIBERS = env_list("CLIENTELA_EVENT_SUBSCRIBERS")
# Unset (""): the company profile's country, else the country of the language (ES for
# es, US for en; core.company.default_country).
CLIENTELA_DEFAULT_PHONE_REGION = env_phone_region("CLIENTELA_DEFAULT_PHONE_REGION", "")
CLIENTELA_MAX_ATTACHMENT_MB = env_int("CLIENTELA_MAX_ATTACHMENT_MB", 10, minimum=1)
#: The address customers reach this server at, for links in e-mails sent without a
#: request at hand (a solved ticket's rating links).
CLIENTELA_PUBLIC_URL = env_str("CLIENTELA_PUBLIC_URL", "http://localhost:8000").rstrip("/")
#: Inbound e-mail (core/inbound): the largest raw message taken, in bytes, from a mailbox
#: or from POST /api/v1/inbound-email (a bigger one is kept as a flagged stub); how many
#: messages a poll fetches at a time.
CLIENTELA_INBOUND_MAX_BYTES = env_int("CLIENTELA_INBOUND_MAX_BYTES", 25 * 1024 * 1024, minimum=1024)
CLIENTELA_INBOUND_BATCH = env_int("CLIENTELA_INBOUND_BATCH", 20, minimum=1, maximum=500)
#: The return path of bulk mail (core/verp.py): each message goes out from
#: ``<local>+<signed delivery token>@<domain>``, a mailbox (or pipe) that hands what comes
#: back to Clientela, so a bounce names the delivery it is about.
CLIENTELA_BOUNCE_LOCAL, CLIENTELA_BOUNCE_DOMAIN = env_return_address(
    "CLIENTELA_BOUNCE_ADDRESS", "bounces@localhost"
)

# --- campaigns (marketing) --------------------------------------------------------------
#: How long a worker holds a campaign it sends (renewed each batch): a killed worker's
#: campaign is taken up by another after at most this long.
CLIENTELA_CAMPAIGN_LEASE_SECONDS = env_int(
    "CLIENTELA_CAMPAIGN_LEASE_SECONDS", 60, minimum=5, maximum=3600
)
#: SMTP connections a worker keeps busy at once while it sends a campaign, when the mail
#: server offers PIPELINING (else one): the server works on one message while the worker
#: writes the next.
CLIENTELA_CAMPAIGN_CONNECTIONS = env_int("CLIENTELA_CAMPAIGN_CONNECTIONS", 4, minimum=1, maximum=32)
#: The mailto in each campaign e-mail's List-Unsubscribe header (RFC 2369), besides the
#: one-click HTTPS address; empty: none.
CLIENTELA_UNSUBSCRIBE_MAILTO = env_str("CLIENTELA_UNSUBSCRIBE_MAILTO", "")
# --- webhooks (automation) --------------------------------------------------------------
#: Receivers on private and loopback addresses (the company's own network; tests).
#: Link-local addresses (cloud metadata) are refused whatever this says.
CLIENTELA_WEBHOOKS_ALLOW_PRIVATE = env_bool("CLIENTELA_WEBHOOKS_ALLOW_PRIVATE", False)
#: Plain http:// receivers: allowed in development, refused in production unless set.
CLIENTELA_WEBHOOKS_ALLOW_HTTP = env_bool("CLIENTELA_WEBHOOKS_ALLOW_HTTP", not PRODUCTION)
#: Seconds to connect to a receiver, and for each read or write of a delivery.
CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT = env_int(
    "CLIENTELA_WEBHOOKS_CONNECT_TIMEOUT", 3, minimum=1, maximum=30
)
CLIENTELA_WEBHOOKS_TIMEOUT = env_int("CLIENTELA_WEBHOOKS_TIMEOUT", 10, minimum=1, maximum=60)
#: The largest file an import accepts (web upload or command line), in megabytes.
CLIENTELA_MAX_IMPORT_MB = env_int("CLIENTELA_MAX_IMPORT_MB", 1024, minimum=1)
#: Rows an import writes per transaction (and per checkpoint it resumes from).
CLIENTELA_IMPORT_CHUNK = env_int("CLIENTELA_IMPORT_CHUNK", 2000, minimum=1)
#: A running import whose worker has not reported (its heartbeat, raised with every
#: chunk) for this many seconds is taken for dead: the running workers, which look
#: every half of it, queue it again at its checkpoint, and its page offers "Resume".
#: Keep it well above the time one chunk takes.
CLIENTELA_IMPORT_STALE_SECONDS = env_int("CLIENTELA_IMPORT_STALE_SECONDS", 120, minimum=1)
#: What an import file may hold; a file over any of these fails with a message naming
#: the setting. Checked by the worker before the rows are read (the header, the zip
#: directory of an .xlsx) or while they are counted, so a hostile file costs little.
CLIENTELA_IMPORT_MAX_ROWS = env_int("CLIENTELA_IMPORT_MAX_ROWS", 1_000_000, minimum=1)
CLIENTELA_IMPORT_MAX_COLUMNS = env_int("CLIENTELA_IMPORT_MAX_COLUMNS", 300, minimum=1)
#: Characters in one cell (Excel's own limit by default).
CLIENTELA_IMPORT_MAX_CELL = env_int("CLIENTELA_IMPORT_MAX_CELL", 32_767, minimum=1)
#: The uncompressed size of an .xlsx (its zip directory), in megabytes.
CLIENTELA_IMPORT_MAX_XLSX_MB = env_int("CLIENTELA_IMPORT_MAX_XLSX_MB", 200, minimum=1)
#: Files up to this size (uncompressed, in KB) are read in the upload request; larger
#: ones are stored and read by the worker, the upload answering at once.
CLIENTELA_IMPORT_INLINE_KB = env_int("CLIENTELA_IMPORT_INLINE_KB", 256, minimum=0)
#: How long ``clientela worker`` waits before trying again when the database is busy
#: ("database is locked") or gone: from the first wait, doubling up to the longest.
CLIENTELA_WORKER_RETRY_MS = env_int("CLIENTELA_WORKER_RETRY_MS", 1000, minimum=1)
CLIENTELA_WORKER_RETRY_MAX_MS = env_int("CLIENTELA_WORKER_RETRY_MAX_MS", 60_000, minimum=1)
#: The company name on quotes and greetings (default: the display name of
#: DEFAULT_FROM_EMAIL, else "Clientela"); see core/company.py.
CLIENTELA_COMPANY_NAME = env_str("CLIENTELA_COMPANY_NAME", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {
        "handlers": ["console"],
        "level": env_choice(
            "CLIENTELA_LOG_LEVEL", "WARNING", ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
        ),
    },
}
