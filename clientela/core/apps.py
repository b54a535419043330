from django.apps import AppConfig
from django.contrib.auth.signals import user_login_failed
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_rights(sender: AppConfig, **kwargs: object) -> None:
    # Rights rows exist for every (role, resource) pair once all apps have registered
    # their resources; existing rows keep whatever an admin set.
    if sender.label != "core":
        return
    from clientela.core.services import roles_ensure_defaults

    roles_ensure_defaults()


class CoreConfig(AppConfig):
    name = "clientela.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        post_migrate.connect(_ensure_role_rights, dispatch_uid="clientela_role_rights")
        # Failed logins per client address, across user names (axes counts per name).
        from clientela.core.auth_limits import count_login_failure

        user_login_failed.connect(count_login_failure, dispatch_uid="clientela_login_failures")
