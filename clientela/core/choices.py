import functools

from django.db import models
from django.utils.translation import gettext_lazy as _


@functools.cache
def values_of(choices: type[models.Choices]) -> frozenset[str]:
    """The values of ``choices`` as a set, built once (Django builds ``Choices.values``
    anew at every use: a hot check such as the importer's, thousands of rows a second,
    asks this instead)."""
    return frozenset(choices.values)


class Scope(models.TextChoices):
    OWN = "own", _("Own records")
    TEAM = "team", _("Own team's records")
    ALL = "all", _("All records")


class Action(models.TextChoices):
    CREATE = "create", _("Create")
    READ = "read", _("Read")
    UPDATE = "update", _("Update")
    DELETE = "delete", _("Delete")


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Moved to trash")
    RESTORE = "restore", _("Restored")
    PURGE = "purge", _("Deleted for good")
    MERGE = "merge", _("Merged")
    UNMERGE = "unmerge", _("Merge undone")


class Interface(models.TextChoices):
    WEB = "web", _("Web")
    API = "api", _("API")
    CLI = "cli", _("Command line")
    IMPORT = "import", _("Import")
    SYSTEM = "system", _("System")


class Language(models.TextChoices):
    EN = "en", _("English")
    ES = "es", _("Spanish")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    BOOLEAN = "boolean", _("Yes/no")


class RoleKey(models.TextChoices):
    ADMIN = "admin", _("Admin")
    MANAGER = "manager", _("Manager")
    SALES = "sales", _("Sales")
    MARKETING = "marketing", _("Marketing")
    SUPPORT = "support", _("Support")
    READ_ONLY = "read_only", _("Read-only")


class MailboxSecurity(models.TextChoices):
    SSL = "ssl", _("SSL/TLS")
    STARTTLS = "starttls", _("STARTTLS")
    NONE = "none", _("None (plain text)")


class MailboxPurpose(models.TextChoices):
    """What a mailbox is for: any handler's (support queues' addresses), the team's
    BCC/forwarding address logged to the contact history, or one user's own mailbox
    (only what matches CRM contacts is kept)."""

    GENERAL = "general", _("Support and other handlers")
    HISTORY = "history", _("Log to the contact history (shared BCC address)")
    PERSONAL = "personal", _("A user's own mailbox (logs only CRM contacts)")


class InboundSource(models.TextChoices):
    MAILBOX = "mailbox", _("Mailbox")
    API = "api", _("API")


class InboundStatus(models.TextChoices):
    TAKEN = "taken", _("Taken")
    UNHANDLED = "unhandled", _("Unhandled")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class InboundKind(models.TextChoices):
    """What a message taken in is (``core.inbound.bounces``): mail from a person or a
    machine, or a delivery report that names a failed recipient, or a complaint."""

    MESSAGE = "message", _("Message")
    BOUNCE = "bounce", _("Bounce")
    COMPLAINT = "complaint", _("Spam complaint")


class BounceKind(models.TextChoices):
    """A bounce (``core.inbound.bounces``): ``hard`` will fail again (no such mailbox or
    domain), ``soft`` may pass later (mailbox full, a server down, a delay)."""

    HARD = "hard", _("Hard bounce")
    SOFT = "soft", _("Soft bounce")
