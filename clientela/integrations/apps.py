import datetime

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IntegrationsConfig(AppConfig):
    name = "clientela.integrations"
    label = "integrations"
    verbose_name = _("Integrations")

    def ready(self) -> None:
        self._register_exports()
        self._register_imports()
        self._register_import_actions()

    def _register_imports(self) -> None:
        """An "Import" entry in the settings and the list menus; when a worker starts,
        imports a stopped worker left behind resume at their checkpoint. The order
        importer registers itself with the runner (``imports.orders``)."""
        import clientela.integrations.imports.orders  # noqa: F401
        from clientela.core.registry import (
            RecurringJob,
            register_recurring_job,
            register_worker_startup,
        )
        from clientela.integrations import tasks

        register_worker_startup("integrations.imports", tasks.resume_imports)
        register_recurring_job(
            RecurringJob(
                "integrations.import-watch",
                _("Watch for stopped imports"),
                tasks.watch_imports.module_path,
                datetime.timedelta(seconds=max(1, settings.CLIENTELA_IMPORT_STALE_SECONDS // 2)),
            )
        )

    def _register_exports(self) -> None:
        """An "Export" dropdown on the list of every exportable kind, one entry per
        format it offers; the list page appends its filters to each link."""
        from clientela.core.registry import ListAction, register_list_action
        from clientela.integrations.exports import FORMATS, KINDS

        for kind in KINDS.values():
            for position, fmt in enumerate(FORMATS.values()):
                if not fmt.offers(kind):
                    continue
                register_list_action(
                    kind.resource,
                    ListAction(
                        key=f"export-{fmt.key}",
                        label=fmt.label,
                        url_name="integrations:export",
                        icon=fmt.icon,
                        order=500 + position,
                        url_kwargs=(("kind", kind.path), ("fmt", fmt.key)),
                        menu=_("Export"),
                        menu_icon="bi-download",
                        download=True,
                    ),
                )

    def _register_import_actions(self) -> None:
        """An "Import" button on the people and organization lists (the upload form,
        with the kind preset) and an "Imports" link on the admin settings page."""
        from clientela.core.registry import (
            ListAction,
            NavItem,
            register_list_action,
            register_settings_link,
        )
        from clientela.integrations.imports.mapping import import_kinds

        for kind in import_kinds():
            register_list_action(
                kind.resource,
                ListAction(
                    key="import",
                    label=_("Import"),
                    url_name="integrations:import-new-kind",
                    icon="bi-upload",
                    order=490,
                    url_kwargs=(("kind", kind.path),),
                    permission="create",
                ),
            )
        register_settings_link(
            NavItem("imports", _("Imports"), "integrations:import-list", "bi-upload", 60)
        )
