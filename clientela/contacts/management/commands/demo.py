"""``clientela demo``: load the deterministic demo data (see ``contacts.demo``).

Running it again does nothing while the demo records exist; ``--reset`` removes them
and loads them afresh. The data (tags, products, deal titles…) is named in the
company's default language (``core.company.default_language``).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import override

from clientela.contacts import demo
from clientela.core.company import default_language
from clientela.core.demo import demo_logins
from clientela.core.management.base import ClientelaCommand
from clientela.core.registry import demo_loaders_in_order


class Command(ClientelaCommand):
    help = "Load demo users, organizations and people (same seed, same data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED)
        parser.add_argument("--people", type=int, default=demo.DEFAULT_PEOPLE)
        parser.add_argument("--organizations", type=int, default=demo.DEFAULT_ORGANIZATIONS)
        parser.add_argument(
            "--reset", action="store_true", help="remove the demo records first, then reload"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with override(default_language()):
            self._load(options)

    def _load(self, options: dict[str, Any]) -> None:
        people, organizations = options["people"], options["organizations"]
        if not (0 <= people <= 100_000 and 0 <= organizations <= 20_000):
            raise CommandError(_("--people must be 0–100000 and --organizations 0–20000."))
        if people and not organizations:
            self.stderr.write(_("Note: with no organizations, nobody gets a job title."))
        existing_people, existing_orgs = demo.demo_data_count()
        if existing_people or existing_orgs:
            if not options["reset"]:
                self.stdout.write(
                    _(
                        "Demo data is already loaded (%(people)s people, %(orgs)s "
                        "organizations); nothing to do. Use --reset to load it again."
                    )
                    % {"people": existing_people, "orgs": existing_orgs}
                )
                self._print_logins()
                return
            for loader in reversed(demo_loaders_in_order()):
                loader.remove()
            demo.demo_data_remove()
            self.stdout.write(_("Removed the previous demo records."))
        verbose = options["verbosity"] >= 1
        result = demo.load_demo(
            seed=options["seed"],
            people=people,
            organizations=organizations,
            progress=(lambda msg: self.stdout.write("  " + msg)) if verbose else None,
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Loaded %(orgs)s organizations and %(people)s people in %(secs).1f s.")
                % {"orgs": result.organizations, "people": result.people, "secs": result.seconds}
            )
        )
        # Higher apps (activities…) add their demo data on top of the customer base.
        for loader in demo_loaders_in_order():
            self.stdout.write("  " + loader.load(options["seed"]))
        self._print_logins()

    def _print_logins(self) -> None:
        logins = demo_logins()
        if not logins:
            return
        self.stdout.write(_("Demo logins (user / password):"))
        width = max(len(u) for u, _p, _d in logins)
        for username, password, description in logins:
            self.stdout.write(f"  {username:<{width}} / {password}   ({description})")
