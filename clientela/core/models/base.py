"""The base model and the mixins every CRM record shares (owner/team, tags, custom
fields, optimistic version, trash)."""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from clientela.core.permissions import restrict

_R = TypeVar("_R", bound="CRMRecord")


class TimeStampedModel(models.Model):
    """Every table carries when a row was created and last changed."""

    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CRMRecordQuerySet(models.QuerySet[_R]):
    """The two filters every read of CRM records starts with (NetBox's
    ``RestrictedQuerySet.restrict`` is the model): ``alive()`` leaves out the trash,
    ``visible_to(user)`` narrows to what the user's role and team may read."""

    def alive(self) -> CRMRecordQuerySet[_R]:
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user: Any) -> CRMRecordQuerySet[_R]:
        return cast(CRMRecordQuerySet[_R], restrict(self, user, self.model.RESOURCE))


CRMRecordManager = models.Manager.from_queryset(CRMRecordQuerySet)


class Trashable(models.Model):
    """What the trash needs of a row: when it was deleted and by whom. CRM records
    have it through ``CRMRecord``; a kind without an owner (the product catalogue)
    takes it alone."""

    #: False for records whose trash is their archive (numbered documents: a quote's
    #: or an order's number must stay taken, so they are voided, never deleted): the
    #: trash keeps them and its purges leave them alone.
    PURGEABLE: bool = True

    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True)
    #: Who moved the record to the trash: they find it in their own trash and may bring
    #: it back (a column, not the audit trail, so the trash filters on it fast).
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        abstract = True


class CRMRecord(TimeStampedModel, Trashable):
    """A record users own and share: owner and team drive visibility (see
    ``core.permissions``), ``version`` guards against lost updates, ``deleted_at``
    puts it in the trash (``deleted_by`` says who did), ``custom`` holds admin-defined
    custom field values and ``external_id`` the record's id in the system it was
    imported from.

    Subclasses declare ``RESOURCE`` (e.g. ``"contacts.person"``), the key roles grant
    rights on, and a ``tags`` many-to-many to ``core.Tag``.
    """

    RESOURCE: str = ""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    team = models.ForeignKey(
        "core.Team", verbose_name=_("team"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    objects = CRMRecordManager()

    class Meta:
        abstract = True
