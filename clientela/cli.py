"""The ``clientela`` command: a thin front door to Clientela's management commands.

``clientela serve``, ``worker``, ``run``, ``migrate``, ``demo``, ``createuser``,
``token``, ``purge-trash`` and any other Django management command (``check``,
``shell``…). Commands run with the audit interface "cli", so changes made through them
show up as such in every record's history. Bad input or configuration ends with one
line on stderr and a non-zero exit, never a traceback (``--traceback`` shows it).
"""

from __future__ import annotations

import os
import sys
from importlib.metadata import version

USAGE = """\
usage: clientela COMMAND [options]

Run and deploy:
  serve [--host H] [--port P] [--workers N]   production web server (gunicorn)
  worker                                      background task worker
  run [--host H] [--port P]                   web server + worker together (laptop, demo)
  migrate                                     create or upgrade the database

Data and accounts:
  demo [--reset] [--seed S]                   load the demo data
  createuser NAME --role ROLE --team TEAM --password PW [--email E]
  token create --user NAME --scopes contacts:read,contacts:write [--expires YYYY-MM-DD]
  token list --user NAME | token revoke --user NAME ID
  purge-trash                                 delete what has been in the trash too long
  sms-test +34600123456 [--body T] [--from S] send one SMS through CLIENTELA_SMS_URL
  import FILE --user NAME [--kind K] [--mapping NAME] [--on-duplicate skip|update|create]
         [--dry-run] [--resume JOB] [--no-progress]   import a CSV, XLSX or vCard file
  export KIND --user NAME --format csv|xlsx|json|vcf [--output FILE]   KIND: people,
         organizations, leads, deals, quotes, orders, products, tasks (vCard: contacts)
  duplicates people|organizations [--format json|table] [--min-score 0.7] [--user NAME]

Any other Django management command works too (check, shell, dbshell, …);
`clientela COMMAND --help` tells more. Settings come from environment variables
(see docs/deploy.md).
"""

#: Names that differ from the management command they run.
ALIASES = {"purge-trash": "purge_trash", "create-user": "createuser", "sms-test": "sms_test"}
#: Commands that are servers, not changes made from the command line.
_NOT_CLI_INTERFACE = {"serve", "worker", "run", "runserver", "db_worker"}


def _error(message: str, code: int = 1) -> int:
    print(f"clientela: {message}", file=sys.stderr)
    return code


def _explain(exc: BaseException) -> str:
    """One line for an unexpected failure, with a hint where we know the usual cause."""
    from django.db import DatabaseError  # noqa: PLC0415 - see main()

    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, DatabaseError):
        if "no such table" in text or "does not exist" in text:
            return f"the database is not set up ({text}); run `clientela migrate` first"
        return f"database error: {text}"
    return f"{type(exc).__name__}: {text} (run again with --traceback for details)"


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE, end="")
        return 0 if args else 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clientela.settings")
    # Django and the settings load only now: --help answers without them, and the
    # settings module must be named before they do.
    import django  # noqa: PLC0415

    from clientela.env import ConfigError  # noqa: PLC0415

    try:
        django.setup()
    except ConfigError as exc:
        return _error(f"configuration error: {exc}", 2)
    except Exception as exc:
        return _error(_explain(exc), 2)

    from django.core.management import execute_from_command_line, get_commands  # noqa: PLC0415

    from clientela.core.choices import Interface  # noqa: PLC0415
    from clientela.core.context import interface  # noqa: PLC0415

    name = ALIASES.get(args[0], args[0])
    if name not in get_commands():
        if name.replace("-", "_") in get_commands():
            name = name.replace("-", "_")
        elif name == "--version":
            print(version("clientela"))
            return 0
        else:
            return _error(f"unknown command “{args[0]}”; see `clientela --help`", 2)
    where = Interface.SYSTEM if name in _NOT_CLI_INTERFACE else Interface.CLI
    try:
        with interface(where):
            execute_from_command_line(["clientela", name, *args[1:]])
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except ConfigError as exc:
        # A variable only one command reads (``serve``'s CLIENTELA_PORT) is checked there.
        return _error(f"configuration error: {exc}", 2)
    except Exception as exc:
        if "--traceback" in args:
            raise
        return _error(_explain(exc))
    return 0


if __name__ == "__main__":
    sys.exit(main())
