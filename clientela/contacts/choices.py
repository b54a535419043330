from django.db import models
from django.utils.translation import gettext_lazy as _


class RelationshipKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PROSPECT = "prospect", _("Prospect")
    SUPPLIER = "supplier", _("Supplier")
    PARTNER = "partner", _("Partner")
    COMPETITOR = "competitor", _("Competitor")
    EMPLOYEE = "employee", _("Employee")
    STAKEHOLDER = "stakeholder", _("Stakeholder")


class AddressKind(models.TextChoices):
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    BILLING = "billing", _("Billing")
    SHIPPING = "shipping", _("Shipping")
    OTHER = "other", _("Other")


class PhoneKind(models.TextChoices):
    MOBILE = "mobile", _("Mobile")
    WORK = "work", _("Work")
    HOME = "home", _("Home")
    FAX = "fax", _("Fax")
    OTHER = "other", _("Other")


class EmailKind(models.TextChoices):
    WORK = "work", _("Work")
    PERSONAL = "personal", _("Personal")
    OTHER = "other", _("Other")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SMS = "sms", _("SMS")
    MAIL = "mail", _("Letter")
    CHAT = "chat", _("Chat")
    IN_PERSON = "in_person", _("In person")
