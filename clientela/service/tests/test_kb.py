"""The knowledge base: articles through their services, selectors, pages and API
(``/api/v1/kb/articles``), safe Markdown, the English/Spanish link, and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from clientela.core.errors import NotFound
from clientela.core.models import RolePermission
from clientela.core.search import search
from clientela.core.testing.api import (
    Api,
    check_case,
    contract_cases,
    kept_test_connection,
    openapi_schema,
    schema_settings,
    schema_token,
)
from clientela.service.choices import CategoryKind
from clientela.service.kb_render import render_markdown
from clientela.service.models import Article, Category
from clientela.service.selectors.articles import article_get, article_list, suggested_articles
from clientela.service.services import tickets as ticket_services
from clientela.service.services.articles import article_create, article_update

pytestmark = pytest.mark.django_db

API = "/api/v1/kb/articles"
READ_WRITE = ("service:read", "service:write")


def make(actor: Any, title: str, **data: Any) -> Article:
    body = data.pop("body", f"All about {title}.")
    return article_create(actor=actor, data=cast(Any, {"title": title, "body": body, **data}))


def without_article_right(user: Any) -> None:
    right = RolePermission.objects.get(role=user.role, resource=Article.RESOURCE)
    right.can_read = right.can_create = right.can_update = right.can_delete = False
    right.save()  # the signal makes every process reload the role's rights


def test_markdown_is_rendered_without_html_or_script_links() -> None:
    html = render_markdown(
        "# Title\n\n**bold** <script>alert(1)</script> [x](javascript:alert(1)) "
        '<img src=x onerror="alert(1)"> [ok](https://example.com)'
    )
    assert "<h2>Title</h2>" in html
    assert "<strong>bold</strong>" in html
    # Raw HTML stays visible text; no tag of it and no javascript: link survives.
    assert "<script" not in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert 'href="https://example.com"' in html


def test_create_makes_a_slug_and_indexes_the_article(admin: Any) -> None:
    first = make(admin, "Reset your password", status="published")
    second = make(admin, "Reset your password")
    assert (first.slug, second.slug) == ("reset-your-password", "reset-your-password-2")
    assert first.published_at is not None
    assert first.owner == admin
    found = article_list(user=admin, filters=None).filter(pk__in=[first.pk])
    assert list(found) == [first]
    hits = search(user=admin, query="password", resources=[Article.RESOURCE])
    assert {h.object_id for h in hits} == {first.pk, second.pk}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"title": "", "body": "x"}, "title"),
        ({"title": "x", "body": "  "}, "body"),
        ({"title": "x" * 201, "body": "x"}, "title"),
        ({"title": "x", "body": "x", "language": "fr"}, "language"),
        ({"title": "x", "body": "x", "slug": "Not a slug!"}, "slug"),
        ({"title": "x", "body": "x", "status": "live"}, "status"),
        ({"title": "x", "body": "x", "category_id": 999999}, "category_id"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(admin: Any, data: Any, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        article_create(actor=admin, data=data)
    assert field in refused.value.message_dict
    assert not Article.objects.exists()


def test_duplicate_slug_and_same_language_link_are_refused(admin: Any) -> None:
    english = make(admin, "Returns", slug="returns")
    with pytest.raises(ValidationError) as taken:
        make(admin, "Other", slug="returns")
    assert "slug" in taken.value.message_dict
    with pytest.raises(ValidationError) as same:
        make(admin, "Returns again", translation_of_id=english.pk)
    assert "translation_of_id" in same.value.message_dict
    spanish = make(admin, "Devoluciones", language="es", translation_of_id=english.pk)
    assert english.__class__.objects.get(pk=english.pk).other_version == spanish
    assert spanish.other_version == english
    with pytest.raises(ValidationError) as twice:
        make(admin, "Devoluciones 2", language="es", translation_of_id=english.pk)
    assert "translation_of_id" in twice.value.message_dict
    assert Article.objects.count() == 2


def test_a_user_without_the_article_right_gets_404(admin: Any, rep_south: Any) -> None:
    article = make(admin, "Internal pricing", status="published")
    without_article_right(rep_south)
    with pytest.raises(NotFound):
        article_get(user=rep_south, pk=article.pk)
    api = Api(rep_south, READ_WRITE)
    assert api.get(f"{API}/{article.pk}").status_code == 404
    assert api.patch(f"{API}/{article.pk}", {"title": "x"}).status_code == 404
    client = Client()
    client.force_login(rep_south)
    assert client.get(f"/articles/{article.pk}/").status_code == 404


def test_api_create_list_patch_and_delete(admin: Any) -> None:
    api = Api(admin, READ_WRITE)
    made = api.post(API, {"title": "Shipping times", "body": "Two days.", "language": "en"})
    assert made.status_code == 201, made.content
    pk = made.json()["id"]
    assert made.json()["slug"] == "shipping-times"
    assert made.json()["status"] == "draft"
    make(admin, "Invoices")
    listed = api.get(API, {"q": "shipping"}).json()["items"]
    assert [a["id"] for a in listed] == [pk]
    patched = api.patch(f"{API}/{pk}", {"status": "published"})
    assert patched.status_code == 200
    assert patched.json()["published_at"]
    bad = api.post(API, {"title": "", "body": "x", "language": "fr"})
    assert bad.status_code == 422
    assert api.delete(f"{API}/{pk}").status_code == 204
    assert api.get(f"{API}/{pk}").status_code == 404
    assert Api(admin, ("sales:read",)).get(API).status_code == 403


def test_pages_list_create_and_show(admin: Any) -> None:
    client = Client()
    client.force_login(admin)
    answer = client.post(
        "/articles/new/",
        {"title": "Track an order", "body": "Open **My orders**.", "language": "en",
         "status": "published"},
    )  # fmt: skip
    article = Article.objects.get()
    assert answer.status_code == 302
    page = client.get(f"/articles/{article.pk}/").content.decode()
    assert "<strong>My orders</strong>" in page
    assert "Track an order" in client.get("/articles/").content.decode()
    refused = client.post("/articles/new/", {"title": "", "body": "", "language": "en",
                                             "status": "draft"})  # fmt: skip
    assert refused.status_code == 200
    assert Article.objects.count() == 1


def test_ticket_page_suggests_published_articles_in_its_language_first(
    admin: Any, person_factory: Any
) -> None:
    english = make(admin, "Refund of a broken lamp", status="published")
    spanish = make(
        admin, "Reembolso de una lámpara rota", language="es", status="published",
        body="Cómo pedir el reembolso (refund) de una lámpara rota.",
    )  # fmt: skip
    make(admin, "Refund drafts", body="refund lamp secret")
    ticket = ticket_services.ticket_create(
        actor=admin,
        data={"subject": "Refund lamp", "description": "My lamp arrived broken", "language": "es"},
    )
    assert suggested_articles(user=admin, ticket=ticket) == [spanish, english]
    client = Client()
    client.force_login(admin)
    page = client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Insert link in reply" in page
    assert "Refund drafts" not in page
    box = client.get(
        f"/tickets/{ticket.pk}/kb-link/", {"article": str(english.pk), "body": "Hola"}
    ).content.decode()
    assert "Hola" in box
    assert f"/help/{english.slug}/" in box
    draft = Article.objects.get(title="Refund drafts")
    missing = client.get(f"/tickets/{ticket.pk}/kb-link/", {"article": draft.pk})
    assert missing.status_code == 404


def test_update_keeps_the_version_and_audit(admin: Any) -> None:
    article = make(admin, "Opening hours")
    changed = article_update(actor=admin, article=article, data={"body": "Nine to five."})
    assert changed.version == article.version + 1


def test_only_knowledge_base_categories_are_accepted(admin: Any) -> None:
    tickets_only = Category.objects.create(kind=CategoryKind.TICKET, name="Hardware")
    with pytest.raises(ValidationError) as refused:
        make(admin, "Lamps", category_id=tickets_only.pk)
    assert "category_id" in refused.value.message_dict
    billing = Category.objects.create(kind=CategoryKind.ARTICLE, name="Billing")
    assert make(admin, "Invoices", category_id=billing.pk).category == billing


schema = openapi_schema(r"^/api/v1/kb/")


@pytest.fixture
def token(admin: Any) -> Iterator[str]:
    for n in range(3):
        make(admin, f"Article {n}", status="published")
    with kept_test_connection():
        yield schema_token(admin, READ_WRITE)


@contract_cases(schema)
@schema_settings(max_examples=15)
def test_articles_api_conforms_to_its_openapi(case: Any, token: str) -> None:
    check_case(case, token)


def test_the_form_links_the_spanish_version_once(admin: Any) -> None:
    english = make(admin, "Returns", status="published")
    client = Client()
    client.force_login(admin)
    form = {"body": "Texto.", "language": "es", "status": "published"}
    assert f'value="{english.pk}"' in client.get("/articles/new/").content.decode()
    linked = client.post("/articles/new/", {**form, "title": "Devoluciones",
                                            "translation_of": english.pk})  # fmt: skip
    assert linked.status_code == 302
    spanish = Article.objects.get(title="Devoluciones")
    assert spanish.translation_of == english
    again = client.post("/articles/new/", {**form, "title": "Otra", "translation_of": english.pk})
    assert again.status_code == 200
    assert not Article.objects.filter(title="Otra").exists()
    page = client.get(f"/help/{english.slug}/").content.decode()
    assert f"/help/{spanish.slug}/" in page
