"""Demo knowledge base for ``clientela demo``: 30 articles in English, each with its
Spanish version, in four categories, most published and a few drafts, with some
helpful votes and a few searches that found nothing. Made through the services (60
articles: a second or two)."""

from __future__ import annotations

import random

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from clientela.core.models import SearchEntry, User
from clientela.service.choices import CategoryKind
from clientela.service.models import Article, Category, KbSearchMiss
from clientela.service.services.articles import article_create

#: The categories (named in the language the demo runs in, like the ticket categories),
#: and per category the (English title, Spanish title) of its articles.
TOPICS: dict[str, tuple[tuple[str, str], ...]] = {
    gettext_noop("Account"): (
        ("Reset your password", "Restablecer la contraseña"),
        ("Change your e-mail address", "Cambiar la dirección de correo"),
        ("Turn on two-step login", "Activar el inicio de sesión en dos pasos"),
        ("Update your delivery address", "Actualizar la dirección de entrega"),
        ("Close your account", "Cerrar la cuenta"),
        ("Manage newsletter subscriptions", "Gestionar las suscripciones al boletín"),
        ("Download your personal data", "Descargar sus datos personales"),
    ),
    gettext_noop("Orders and shipping"): (
        ("Track your order", "Seguir su pedido"),
        ("Shipping times and costs", "Plazos y costes de envío"),
        ("Change or cancel an order", "Modificar o cancelar un pedido"),
        ("A parcel arrived damaged", "Un paquete llegó dañado"),
        ("Items missing from a parcel", "Faltan artículos en un paquete"),
        ("Shipping to the Canary Islands", "Envíos a Canarias"),
        ("Pick up in store", "Recoger en tienda"),
        ("Gift wrapping", "Envolver para regalo"),
    ),
    gettext_noop("Billing"): (
        ("Download an invoice", "Descargar una factura"),
        ("Payment methods we accept", "Formas de pago que aceptamos"),
        ("A payment was declined", "Se rechazó un pago"),
        ("Pay in instalments", "Pagar a plazos"),
        ("Change the VAT number on an invoice", "Cambiar el NIF de una factura"),
        ("Discount codes", "Códigos de descuento"),
        ("Charged twice", "Cobro duplicado"),
    ),
    gettext_noop("Returns and repairs"): (
        ("Return a product", "Devolver un producto"),
        ("When you get your refund", "Cuándo recibe el reembolso"),
        ("Warranty and repairs", "Garantía y reparaciones"),
        ("Exchange for another size", "Cambiar por otra talla"),
        ("Spare parts for lamps", "Repuestos para lámparas"),
        ("Returns of sale items", "Devoluciones de artículos rebajados"),
        ("Book a technician visit", "Pedir la visita de un técnico"),
        ("Recycle your old appliance", "Reciclar su aparato viejo"),
    ),
}
BODY_EN = (
    "## {title}\n\nThis article explains how to **{lower}**.\n\n"
    "1. Sign in to your account.\n2. Open *{category}*.\n3. Follow the steps on screen.\n\n"
    "Still stuck? [Contact us](mailto:support@example.com) and quote your order number."
)
BODY_ES = (
    "## {title}\n\nEste artículo explica cómo **{lower}**.\n\n"
    "1. Inicie sesión en su cuenta.\n2. Abra *{category}*.\n3. Siga los pasos en pantalla.\n\n"
    "¿Sigue con dudas? [Escríbanos](mailto:support@example.com) con su número de pedido."
)
MISSES = (("factura proforma", "es", 7), ("bulk discount", "en", 4), ("click and collect", "en", 2))


def load(admin: User, rng: random.Random) -> int:
    """The demo articles; their number."""
    made = 0
    for name, articles in TOPICS.items():
        category, _created = Category.objects.get_or_create(kind=CategoryKind.ARTICLE, name=_(name))
        with override("en"):
            cat_en = _(name)
        with override("es"):
            cat_es = _(name)
        for title_en, title_es in articles:
            status = "draft" if rng.random() < 0.1 else "published"
            en = _make(admin, title_en, BODY_EN, cat_en, "en", status, category.pk, None)
            _make(admin, title_es, BODY_ES, cat_es, "es", status, category.pk, en.pk)
            made += 2
    for article in Article.objects.filter(status="published", category__isnull=False):
        Article.objects.filter(pk=article.pk).update(
            helpful_count=rng.randint(0, 40), not_helpful_count=rng.randint(0, 6)
        )
    now = timezone.now()
    for query, language, times in MISSES:
        KbSearchMiss.objects.update_or_create(
            query=query, language=language, defaults={"times": times, "last_seen_at": now}
        )
    return made


def _make(
    admin: User,
    title: str,
    body: str,
    category: str,
    language: str,
    status: str,
    category_id: int,
    translation_of: int | None,
) -> Article:
    text = body.format(title=title, lower=title[0].lower() + title[1:], category=category)
    return article_create(
        actor=admin,
        data={
            "title": title,
            "body": text,
            "language": language,
            "status": status,
            "category_id": category_id,
            "translation_of_id": translation_of,
        },
    )


def remove(names: set[str]) -> None:
    """The demo's articles, by their categories' ``names`` (in every language)."""
    articles = Article.objects.filter(category__name__in=names)
    SearchEntry.objects.filter(
        resource=Article.RESOURCE, object_id__in=list(articles.values_list("pk", flat=True))
    ).delete()
    articles.delete()
    Category.objects.filter(kind=CategoryKind.ARTICLE, name__in=names).delete()
    KbSearchMiss.objects.filter(query__in=[q for q, _l, _t in MISSES]).delete()
