"""Settings for benchmark runs: Clientela's own, plus a bare JSON view to compare with.

``bench/run.py`` and ``bench/generate.py`` point DATABASE_URL at the benchmark's own
SQLite file before Django loads this, so a benchmark never touches the real database.
"""

import os

from clientela.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
# Request logging off: the benchmark measures the app, not the terminal.
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "ERROR"}}
# The benchmark's accounts are made by the loader and never log in with a password
# (the harness uses force_login and API tokens): skip the deliberately slow hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# `bench/run.py --compare-per-request` measures the API again with a new database
# connection per request (Clientela's settings keep connections open).
if os.environ.get("BENCH_CONN_MAX_AGE"):
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ["BENCH_CONN_MAX_AGE"])  # noqa: F405

# The load test sends thousands of API requests a minute with one token from one
# address: limits it never reaches, still counted as in production.
CLIENTELA_API_RATE_PER_TOKEN = CLIENTELA_API_RATE_PER_IP = "1000000/m"  # noqa: S105 - a rate
