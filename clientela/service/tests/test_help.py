"""The public help centre: no login, published articles only, the visitor's language,
search misses recorded, one helpful vote per session."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from clientela.service.choices import CategoryKind
from clientela.service.models import Article, Category, KbSearchMiss
from clientela.service.services.articles import (
    article_create,
    article_restore,
    article_trash,
    article_update,
)
from clientela.service.views import help as help_views

pytestmark = pytest.mark.django_db


@pytest.fixture
def articles(admin: Any) -> dict[str, Article]:
    account = Category.objects.create(kind=CategoryKind.ARTICLE, name="My account")
    en = article_create(
        actor=admin,
        data={
            "title": "Change your address",
            "body": "Go to *Account*.",
            "status": "published",
            "category_id": account.pk,
        },
    )
    es = article_create(
        actor=admin,
        data={"title": "Cambiar la dirección", "body": "Vaya a *Cuenta*.", "language": "es",
              "status": "published", "translation_of_id": en.pk},
    )  # fmt: skip
    draft = article_create(
        actor=admin, data={"title": "Address secret plan", "body": "internal address notes"}
    )
    return {"en": en, "es": es, "draft": draft}


def test_index_shows_published_articles_in_the_visitors_language(articles: Any) -> None:
    english = Client().get("/help/").content.decode()
    assert "Change your address" in english
    assert "My account" in english
    assert "Cambiar" not in english
    assert "secret" not in english
    assert "alice" not in english
    spanish = Client(headers={"accept-language": "es"}).get("/help/").content.decode()
    assert "Cambiar la dirección" in spanish
    assert "Change your address" not in spanish
    assert "Centro de ayuda" in spanish
    switched = Client().get("/help/", {"lang": "es"}).content.decode()
    assert "Cambiar la dirección" in switched


def test_drafts_are_404_and_the_page_links_the_other_language(articles: Any) -> None:
    client = Client()
    assert client.get(f"/help/{articles['draft'].slug}/").status_code == 404
    page = client.get(f"/help/{articles['en'].slug}/").content.decode()
    assert "<em>Account</em>" in page
    assert f"/help/{articles['es'].slug}/" in page
    assert "Leer en español" in page
    assert "alice@example.com" not in page
    search = client.get("/help/", {"q": "secret"}).content.decode()
    assert "Address secret plan" not in search


def test_a_search_with_no_result_is_recorded_for_the_authors(articles: Any, admin: Any) -> None:
    client = Client()
    assert "Change your address" in client.get("/help/", {"q": "address"}).content.decode()
    client.get("/help/", {"q": "Cancelación  PEDIDO"})
    client.get("/help/", {"q": "cancelacion pedido", "lang": "en"})
    client.get("/help/", {"q": "¿¡!!?"})  # no word: nothing to note
    miss = KbSearchMiss.objects.get()
    assert (miss.query, miss.language, miss.times) == ("cancelacion pedido", "en", 2)
    staff = Client()
    staff.force_login(admin)
    assert "cancelacion pedido" in staff.get("/articles/searches-with-no-answer/").content.decode()


def test_helpful_vote_counts_once_per_session_and_needs_csrf(articles: Any) -> None:
    article = articles["en"]
    url = f"/help/{article.slug}/vote/"
    client = Client()
    assert client.post(url, {"helpful": "yes"}).status_code == 302
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})
    Client().post(url, {"helpful": "no"})
    article.refresh_from_db()
    assert (article.helpful_count, article.not_helpful_count) == (1, 1)
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"helpful": "yes"}).status_code == 403
    assert (
        Client().post(f"/help/{articles['draft'].slug}/vote/", {"helpful": "yes"}).status_code
        == 404
    )


def test_votes_beyond_the_rate_limit_are_not_counted(
    articles: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(help_views, "VOTE_RATE", "1/h")
    monkeypatch.setattr(help_views, "MISS_RATE", "1/h")
    url = f"/help/{articles['en'].slug}/vote/"
    Client().post(url, {"helpful": "yes"})
    assert Client().post(url, {"helpful": "yes"}).status_code == 302
    articles["en"].refresh_from_db()
    assert articles["en"].helpful_count == 1
    Client().get("/help/", {"q": "zebra"})
    assert Client().get("/help/", {"q": "giraffe"}).status_code == 200
    assert list(KbSearchMiss.objects.values_list("query", flat=True)) == ["zebra"]


def test_the_front_page_shows_a_few_articles_per_category(admin: Any) -> None:
    faq = Category.objects.create(kind=CategoryKind.ARTICLE, name="FAQ")
    for n in range(10):
        article_create(
            actor=admin,
            data={"title": f"Question {n:02}", "body": "x", "status": "published",
                  "category_id": faq.pk},
        )  # fmt: skip
    front = Client().get("/help/").content.decode()
    assert "Question 07" in front
    assert "Question 08" not in front
    assert f"category={faq.pk}" in front
    whole = Client().get("/help/", {"category": faq.pk}).content.decode()
    assert "Question 09" in whole


def test_an_article_unpublished_or_trashed_leaves_the_public_search(
    articles: Any, admin: Any
) -> None:
    english = articles["en"]
    assert "Change your address" in Client().get("/help/", {"q": "address"}).content.decode()
    article_update(actor=admin, article=english, data={"status": "draft"})
    assert "Change your address" not in Client().get("/help/", {"q": "address"}).content.decode()
    english = article_update(
        actor=admin, article=Article.objects.get(pk=english.pk), data={"status": "published"}
    )
    article_trash(actor=admin, article=english)
    assert "Change your address" not in Client().get("/help/", {"q": "address"}).content.decode()
    assert Client().get(f"/help/{english.slug}/").status_code == 404
    article_restore(actor=admin, article=Article.objects.get(pk=english.pk))
    assert "Change your address" in Client().get("/help/", {"q": "address"}).content.decode()
