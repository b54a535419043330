"""The fixed catalogue the demo data is drawn from: countries with their real cities,
tags, industries, job titles, relationship mixes and custom fields (see ``demo``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_noop

from clientela.contacts.choices import RelationshipKind
from clientela.contacts.models import Organization, Person
from clientela.core.choices import CustomFieldType, Language


@dataclass(frozen=True)
class Country:
    code: str
    locale: str
    language: str
    weight: int
    #: (city, region) pairs; real places so the city filter groups people sensibly.
    cities: tuple[tuple[str, str], ...]


COUNTRIES: tuple[Country, ...] = (
    Country(
        "US",
        "en_US",
        Language.EN,
        20,
        (
            ("New York", "NY"),
            ("Chicago", "IL"),
            ("Austin", "TX"),
            ("Seattle", "WA"),
            ("Boston", "MA"),
            ("Miami", "FL"),
            ("Denver", "CO"),
            ("San Francisco", "CA"),
        ),
    ),
    Country(
        "GB",
        "en_GB",
        Language.EN,
        10,
        (
            ("London", "England"),
            ("Manchester", "England"),
            ("Birmingham", "England"),
            ("Leeds", "England"),
            ("Bristol", "England"),
            ("Edinburgh", "Scotland"),
            ("Glasgow", "Scotland"),
            ("Cardiff", "Wales"),
        ),
    ),
    Country(
        "IE",
        "en_IE",
        Language.EN,
        5,
        (
            ("Dublin", "Leinster"),
            ("Cork", "Munster"),
            ("Galway", "Connacht"),
            ("Limerick", "Munster"),
            ("Waterford", "Munster"),
        ),
    ),
    Country(
        "CA",
        "en_CA",
        Language.EN,
        8,
        (
            ("Toronto", "ON"),
            ("Vancouver", "BC"),
            ("Calgary", "AB"),
            ("Ottawa", "ON"),
            ("Halifax", "NS"),
            ("Winnipeg", "MB"),
        ),
    ),
    Country(
        "AU",
        "en_AU",
        Language.EN,
        7,
        (
            ("Sydney", "NSW"),
            ("Melbourne", "VIC"),
            ("Brisbane", "QLD"),
            ("Perth", "WA"),
            ("Adelaide", "SA"),
            ("Hobart", "TAS"),
        ),
    ),
    Country(
        "ES",
        "es_ES",
        Language.ES,
        15,
        (
            ("Madrid", "Comunidad de Madrid"),
            ("Barcelona", "Cataluña"),
            ("Valencia", "Comunitat Valenciana"),
            ("Sevilla", "Andalucía"),
            ("Málaga", "Andalucía"),
            ("Bilbao", "País Vasco"),
            ("Zaragoza", "Aragón"),
            ("A Coruña", "Galicia"),
        ),
    ),
    Country(
        "MX",
        "es_MX",
        Language.ES,
        12,
        (
            ("Ciudad de México", "CDMX"),
            ("Guadalajara", "Jalisco"),
            ("Monterrey", "Nuevo León"),
            ("Puebla", "Puebla"),
            ("Mérida", "Yucatán"),
            ("Querétaro", "Querétaro"),
        ),
    ),
    Country(
        "AR",
        "es_AR",
        Language.ES,
        8,
        (
            ("Buenos Aires", "CABA"),
            ("Córdoba", "Córdoba"),
            ("Rosario", "Santa Fe"),
            ("Mendoza", "Mendoza"),
            ("La Plata", "Buenos Aires"),
        ),
    ),
    Country(
        "CO",
        "es_CO",
        Language.ES,
        8,
        (
            ("Bogotá", "Bogotá D.C."),
            ("Medellín", "Antioquia"),
            ("Cali", "Valle del Cauca"),
            ("Barranquilla", "Atlántico"),
            ("Cartagena", "Bolívar"),
        ),
    ),
    Country(
        "CL",
        "es_CL",
        Language.ES,
        7,
        (
            ("Santiago", "Región Metropolitana"),
            ("Valparaíso", "Valparaíso"),
            ("Concepción", "Biobío"),
            ("La Serena", "Coquimbo"),
            ("Antofagasta", "Antofagasta"),
        ),
    ),
)

#: (tag, probability that a person carries it); tags are named in the active language
TAGS: tuple[tuple[str, float], ...] = (
    (gettext_noop("Newsletter"), 0.35),
    (gettext_noop("VIP"), 0.06),
    (gettext_noop("Wholesale"), 0.08),
    (gettext_noop("Retail"), 0.2),
    (gettext_noop("Event 2024"), 0.1),
    (gettext_noop("Referral"), 0.07),
    (gettext_noop("Key account"), 0.04),
    (gettext_noop("Birthday club"), 0.12),
)
ORG_TAGS: tuple[tuple[str, float], ...] = (
    (gettext_noop("Wholesale"), 0.25),
    (gettext_noop("Key account"), 0.12),
    (gettext_noop("VIP"), 0.08),
    (gettext_noop("Retail"), 0.3),
)
INDUSTRIES = (
    "Retail",
    "Hospitality",
    "Manufacturing",
    "Construction",
    "Healthcare",
    "Education",
    "Software",
    "Logistics",
    "Food & beverage",
    "Agriculture",
    "Finance",
    "Tourism",
)
JOB_TITLES: dict[str, tuple[str, ...]] = {
    Language.EN: (
        "Owner",
        "Managing director",
        "Purchasing manager",
        "Office manager",
        "Sales manager",
        "Accountant",
        "Operations manager",
        "Marketing lead",
        "Head of procurement",
        "Store manager",
        "Buyer",
        "Assistant",
    ),
    Language.ES: (
        "Propietaria",
        "Director general",
        "Jefa de compras",
        "Administrativo",
        "Gerente comercial",
        "Contable",
        "Jefe de operaciones",
        "Responsable de marketing",
        "Compradora",
        "Encargado de tienda",
        "Asistente",
        "Directora financiera",
    ),
}
PERSON_ROLES = (
    (RelationshipKind.CUSTOMER, 0.55),
    (RelationshipKind.PROSPECT, 0.3),
    (RelationshipKind.SUPPLIER, 0.05),
    (RelationshipKind.PARTNER, 0.05),
    (RelationshipKind.STAKEHOLDER, 0.04),
    (RelationshipKind.EMPLOYEE, 0.01),
)
ORG_ROLES = (
    (RelationshipKind.CUSTOMER, 0.5),
    (RelationshipKind.PROSPECT, 0.2),
    (RelationshipKind.SUPPLIER, 0.15),
    (RelationshipKind.PARTNER, 0.1),
    (RelationshipKind.COMPETITOR, 0.05),
)
TIERS = ("Bronze", "Silver", "Gold", "Platinum")

#: (resource, key, label, type, choices)
CUSTOM_FIELDS: tuple[tuple[str, str, str, str, list[str]], ...] = (
    (Person.RESOURCE, "customer_tier", "Customer tier", CustomFieldType.CHOICE, list(TIERS)),
    (Person.RESOURCE, "loyalty_points", "Loyalty points", CustomFieldType.NUMBER, []),
    (Person.RESOURCE, "newsletter_opt_in", "Newsletter opt-in", CustomFieldType.BOOLEAN, []),
    (Organization.RESOURCE, "customer_tier", "Customer tier", CustomFieldType.CHOICE, list(TIERS)),
    (Organization.RESOURCE, "employees", "Employees", CustomFieldType.NUMBER, []),
)
