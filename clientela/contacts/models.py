"""Organizations and people, with their addresses, phones, e-mails, relationship roles
and memberships. Primary e-mail, phone, city and country are copied onto the record by
the services, and the tag ids by database triggers (``tag_key``), so lists sort and
filter on the record's own indexes, without joins."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Mod
from django.db.models.lookups import Exact
from django.utils.translation import gettext_lazy as _

from clientela.contacts.birthdays import MIN_YEAR, Birthday, days_in_month
from clientela.contacts.choices import AddressKind, Channel, EmailKind, PhoneKind, RelationshipKind
from clientela.core.choices import Language
from clientela.core.models import CRMRecord, TimeStampedModel


def _live(name: str, *fields: str) -> models.Index:
    """An index over records not in the trash, which is what every list reads."""
    return models.Index(fields=list(fields), name=name, condition=Q(deleted_at__isnull=True))


def tagged(tag_id: int, prefix: str = "") -> Q:
    """Records carrying the tag ``tag_id``, tested on the record's own ``tag_key`` (so
    inside the list indexes, which hold it) rather than through the tags table; or
    records whose person or organization (reached through ``prefix``,
    "organization__") carries it."""
    return Q(**{f"{prefix}tag_key__contains": f",{int(tag_id)},"})


def _tag_key() -> models.TextField[str, str]:
    # The record's tag ids as ",3,7," ("" without tags), kept by database triggers on
    # the record's tags table (migration 0003_tag_key_on_records) rather than by the
    # services, so every way of tagging (services, imports, the admin) keeps it right.
    # Never shown to users (not editable, in no form or API body), so not translated.
    return models.TextField("tag ids", default="", db_default="", editable=False)


def _trash(name: str) -> models.Index:
    """An index over the trash alone, for the trash page and the purge. Partial on
    purpose: a plain index on ``deleted_at`` also covers every live record, and once
    SQLite has statistics (``ANALYZE``/``PRAGMA optimize``) it averages the rows per
    ``deleted_at`` value over the few trashed ones, believes ``deleted_at IS NULL`` is
    selective, and walks that index for every list, sorting all live records (1 s at a
    million people instead of ~30 ms). Without live rows it can never be chosen for a
    list."""
    return models.Index(fields=["deleted_at"], name=name, condition=Q(deleted_at__isnull=False))


class Organization(CRMRecord):
    """A company, shop, school or any body we deal with."""

    RESOURCE = "contacts.organization"

    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), max_length=300, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="organizations")
    tag_key = _tag_key()

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # The lists' default order, with team and tags at the end so a team's
            # view, or a tag filter, is answered from the index alone.
            _live("org_name_idx", "name", "id", "team", "tag_key"),
            _live("org_city_name_idx", "city", "name", "id", "team", "tag_key"),
            _live("org_team_name_idx", "team", "name", "id"),
            _live("org_owner_name_idx", "owner", "name", "id"),
            _live("org_country_city_idx", "country", "city", "name"),
            models.Index(fields=["external_id"], name="org_external_id_idx"),
            _trash("org_deleted_idx"),
        ]

    def __str__(self) -> str:
        return self.name


def _birthday_constraints() -> list[models.BaseConstraint]:
    """The database's own rules for a birthday: a day some year has (29 February
    included), a year only with a month and day, and 29 February only in a leap
    year when the year is known."""
    valid_day = Q(birthday_md__isnull=True)
    for month in range(1, 13):
        valid_day |= Q(
            birthday_md__gte=month * 100 + 1, birthday_md__lte=month * 100 + days_in_month(month)
        )
    year = F("birthday_year")
    leap = Q(Exact(Mod(year, 4), 0)) & (~Q(Exact(Mod(year, 100), 0)) | Q(Exact(Mod(year, 400), 0)))
    return [
        models.CheckConstraint(condition=valid_day, name="person_birthday_valid_day"),
        models.CheckConstraint(
            condition=Q(birthday_year__isnull=True)
            | Q(birthday_md__isnull=False, birthday_year__gte=MIN_YEAR),
            name="person_birthday_year",
        ),
        models.CheckConstraint(
            condition=~Q(birthday_md=229) | Q(birthday_year__isnull=True) | leap,
            name="person_birthday_leap_day",
        ),
    ]


class Person(CRMRecord):
    """A human being we know: customer, prospect, supplier's contact, employee…"""

    RESOURCE = "contacts.person"
    #: Audited values that are dates but no model field's (the history formats them).
    HISTORY_DATES = ("birthday",)

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    #: The birthday as ``month * 100 + day`` (see ``contacts.birthdays``): indexed, so
    #: the coming week's birthdays are a range read, not a scan of every person.
    birthday_md = models.PositiveSmallIntegerField(
        _("birthday (month and day)"), null=True, blank=True
    )
    #: The year of birth, null when unknown (a birthday without a year).
    birthday_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=5, choices=Language, default=Language.EN
    )
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel, blank=True
    )
    notes = models.TextField(_("notes"), max_length=10000, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    organizations = models.ManyToManyField(
        Organization, through="Membership", related_name="people", blank=True
    )
    tags = models.ManyToManyField("core.Tag", blank=True, related_name="people")
    tag_key = _tag_key()

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            # The lists' default order, with team and tags at the end so a team's
            # view, or a tag filter, is answered from the index alone: "tag + city by
            # name, page 500" reads 21,000 index entries and no rows at a million
            # people (6 ms, against 25 ms probing the tags table for each).
            _live("person_name_idx", "last_name", "first_name", "id", "team", "tag_key"),
            _live(
                "person_city_name_idx", "city", "last_name", "first_name", "id", "team", "tag_key"
            ),
            _live("person_team_name_idx", "team", "last_name", "first_name", "id"),
            _live("person_owner_name_idx", "owner", "last_name", "first_name", "id"),
            _live("person_country_city_idx", "country", "city", "last_name"),
            _live("person_email_idx", "email"),
            _live("person_phone_idx", "phone"),
            # "Birthdays this week": a range of month-days, then the scope columns.
            _live("person_birthday_idx", "birthday_md", "team", "owner"),
            models.Index(fields=["external_id"], name="person_external_id_idx"),
            _trash("person_deleted_idx"),
        ]
        constraints = _birthday_constraints()

    def __str__(self) -> str:
        return self.full_name

    @property
    def birthday(self) -> Birthday | None:
        return Birthday.from_columns(self.birthday_md, self.birthday_year)

    @birthday.setter
    def birthday(self, value: Birthday | datetime.date | str | None) -> None:
        birthday = Birthday.of(value)
        self.birthday_md = birthday.month_day if birthday else None
        self.birthday_year = birthday.year if birthday else None

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or "—"


class Membership(TimeStampedModel):
    """A person's place in an organization, with a job title."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "organization__name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="uniq_membership"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.person} @ {self.organization}"


class ContactDetail(TimeStampedModel):
    """Base of details that belong to exactly one person or one organization."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="%(class)ss"
    )

    class Meta:
        abstract = True


def _one_owner(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=(Q(person__isnull=False, organization__isnull=True))
        | (Q(person__isnull=True, organization__isnull=False)),
        name=name,
    )


class EmailAddress(ContactDetail):
    address = models.EmailField(_("e-mail"), max_length=254)
    kind = models.CharField(_("type"), max_length=10, choices=EmailKind, default=EmailKind.WORK)
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [_one_owner("email_one_owner")]
        indexes = [models.Index(fields=["address"], name="email_address_idx")]
        verbose_name = _("e-mail address")
        verbose_name_plural = _("e-mail addresses")

    def __str__(self) -> str:
        return self.address


class PhoneNumber(ContactDetail):
    number = models.CharField(
        _("phone"), max_length=50, help_text=_("E.164, e.g. +34612345678, when verified")
    )
    kind = models.CharField(_("type"), max_length=10, choices=PhoneKind, default=PhoneKind.MOBILE)
    is_primary = models.BooleanField(_("primary"), default=False)
    #: False for a number an import kept as typed because it could not be read as a
    #: real number (no country code and none to assume): shown with a hint to fix it.
    verified = models.BooleanField(_("verified"), default=True)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [_one_owner("phone_one_owner")]
        indexes = [models.Index(fields=["number"], name="phone_number_idx")]
        verbose_name = _("phone number")
        verbose_name_plural = _("phone numbers")

    def __str__(self) -> str:
        return self.number


class Address(ContactDetail):
    kind = models.CharField(_("type"), max_length=10, choices=AddressKind, default=AddressKind.WORK)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166 code, e.g. ES"))
    is_primary = models.BooleanField(_("primary"), default=False)

    class Meta:
        ordering = ["-is_primary", "id"]
        constraints = [_one_owner("address_one_owner")]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        parts = [self.street, self.postal_code, self.city, self.region, self.country]
        return ", ".join(p for p in parts if p)


class Relationship(ContactDetail):
    """One of the roles a record plays for us (customer, supplier…), since a date."""

    kind = models.CharField(_("relationship"), max_length=20, choices=RelationshipKind)
    since = models.DateField(_("since"), null=True, blank=True)

    class Meta:
        ordering = ["kind"]
        constraints = [
            _one_owner("relationship_one_owner"),
            models.UniqueConstraint(fields=["person", "kind"], name="uniq_person_relationship"),
            models.UniqueConstraint(fields=["organization", "kind"], name="uniq_org_relationship"),
        ]
        indexes = [models.Index(fields=["kind"], name="relationship_kind_idx")]
        verbose_name = _("relationship")
        verbose_name_plural = _("relationships")

    def __str__(self) -> str:
        return self.get_kind_display()


# --- data quality: the duplicate finder (``contacts.duplicates``) ------------------------


class DuplicateKind(models.TextChoices):
    PERSON = "person", _("person")
    ORGANIZATION = "organization", _("organization")


def _ordered_pair(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(a_id__lt=models.F("b_id")), name=name)


class DuplicateDismissal(models.Model):
    """A pair a user marked "not a duplicate": the finder never reports it again.
    Ids rather than foreign keys, so one table serves people and organizations; the
    smaller id is always ``a_id``."""

    kind = models.CharField(_("kind"), max_length=20, choices=DuplicateKind)
    a_id = models.BigIntegerField()
    b_id = models.BigIntegerField()
    dismissed_by = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("dismissed by"),
    )
    dismissed_at = models.DateTimeField(_("dismissed at"), auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "a_id", "b_id"], name="uniq_dup_dismissal"),
            _ordered_pair("dup_dismissal_ordered"),
        ]
        verbose_name = _("dismissed duplicate")
        verbose_name_plural = _("dismissed duplicates")

    def __str__(self) -> str:
        return f"{self.kind} {self.a_id}/{self.b_id}"


class DuplicateScanStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class DuplicateScan(models.Model):
    """One run of the duplicate finder over every record of a kind; the pages show the
    pairs of the latest finished scan (filtered by each viewer's scope)."""

    kind = models.CharField(_("kind"), max_length=20, choices=DuplicateKind)
    status = models.CharField(
        _("status"), max_length=10, choices=DuplicateScanStatus, default=DuplicateScanStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    records = models.PositiveIntegerField(_("records compared"), default=0)
    pairs = models.PositiveIntegerField(_("pairs found"), default=0)
    seconds = models.FloatField(_("seconds"), default=0.0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "status", "-finished_at"], name="dup_scan_idx")]
        verbose_name = _("duplicate scan")
        verbose_name_plural = _("duplicate scans")

    def __str__(self) -> str:
        return f"{self.kind} scan {self.pk} ({self.status})"


class DuplicatePair(models.Model):
    """A likely duplicate found by a scan: ``a_id < b_id``, score 0..1, reasons as codes
    (``[{"code": "name", "pct": 94}, {"code": "same_city"}]``; words by
    ``duplicates.reason_texts``)."""

    scan = models.ForeignKey(DuplicateScan, on_delete=models.CASCADE, related_name="found")
    kind = models.CharField(_("kind"), max_length=20, choices=DuplicateKind)
    a_id = models.BigIntegerField()
    b_id = models.BigIntegerField()
    score = models.FloatField(_("score"))
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scan", "a_id", "b_id"], name="uniq_dup_pair"),
            _ordered_pair("dup_pair_ordered"),
        ]
        indexes = [
            models.Index(fields=["scan", "-score", "a_id", "b_id"], name="dup_pair_score_idx")
        ]
        verbose_name = _("likely duplicate")
        verbose_name_plural = _("likely duplicates")

    def __str__(self) -> str:
        return f"{self.kind} {self.a_id}/{self.b_id} {self.score:.2f}"


# --- merging duplicates (``contacts.merge``) --------------------------------------------


class Merge(models.Model):
    """One merge of a duplicate into the record kept (the *survivor*), and the redirect
    of the merged-away id while it stands (chains followed by
    ``selectors.merged_into``). Ids rather than foreign keys: the merged record may be
    purged from the trash later, and old links must still resolve. ``survivor_before``
    holds the survivor's fields the merge changed and ``moved`` every row it moved or
    deleted, so ``merge_undo`` can put everything back exactly."""

    kind = models.CharField(_("kind"), max_length=20, choices=DuplicateKind)
    survivor_id = models.BigIntegerField(_("kept record"))
    merged_id = models.BigIntegerField(_("merged record"))
    merged_repr = models.CharField(_("merged record's name"), max_length=300, blank=True)
    actor = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("merged by"),
    )
    created_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    survivor_before = models.JSONField(_("kept record before"), default=dict)
    moved = models.JSONField(_("moved rows"), default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["kind", "merged_id"], name="merge_merged_idx"),
            models.Index(fields=["kind", "survivor_id"], name="merge_survivor_idx"),
        ]
        verbose_name = _("merge")
        verbose_name_plural = _("merges")

    def __str__(self) -> str:
        return f"{self.kind} {self.merged_id} → {self.survivor_id}"
