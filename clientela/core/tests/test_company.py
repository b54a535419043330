"""The company profile: the settings page and its service (audited, nothing stored
when one value is wrong), the logo (PNG or JPEG only, re-encoded, size-limited), and
what the profile decides elsewhere: the company name with its fallbacks, the default
phone region, the language of new users and people, the e-mail footer."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from clientela.contacts.forms import PersonForm
from clientela.contacts.services import person_create
from clientela.core import company
from clientela.core.models import AuditEntry, CompanyProfile, User
from clientela.core.normalize import normalize_phone
from clientela.core.services import company as company_services
from clientela.core.services import user_create
from conftest import PASSWORD

URL = "/settings/company/"
LOGO_URL = "/settings/company/logo/"


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def admin_client(client: Client, admin: User) -> Client:
    client.force_login(admin)
    return client


def image_file(kind: str = "PNG", size: tuple[int, int] = (300, 120), name: str = "") -> Any:
    out = io.BytesIO()
    mode = "RGBA" if kind == "PNG" else "RGB"
    Image.new(mode, size, (200, 30, 60)).save(out, format=kind)
    extension = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "BMP": "bmp"}[kind]
    return SimpleUploadedFile(
        name or f"logo.{extension}", out.getvalue(), content_type=f"image/{extension}"
    )


def profile_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Tienda Ana",
        "legal_name": "Tienda Ana S.L.",
        "address": "Calle Mayor 1\n28013 Madrid\nEspaña",
        "tax_id": "B12345678",
        "email": "Hola@TiendaAna.es",
        "phone": "912 34 56 78",
        "website": "https://tiendaana.es",
        "country": "ES",
        "language": "es",
        "time_zone": "Europe/Madrid",
    }
    data.update(overrides)
    return data


def stored_files(media: Path) -> list[str]:
    return sorted(p.name for p in media.rglob("*") if p.is_file())


# --- the page ---------------------------------------------------------------------------


def test_admin_saves_the_profile_and_it_is_used_at_once(admin_client: Client) -> None:
    response = admin_client.post(URL, profile_data())
    assert response.status_code == 302
    profile = CompanyProfile.objects.get()
    assert (profile.name, profile.email, profile.phone, profile.country) == (
        "Tienda Ana",
        "hola@tiendaana.es",
        "+34912345678",
        "ES",
    )
    assert company.company_name() == "Tienda Ana"
    assert company.default_country() == "ES"
    assert company.default_language() == "es"
    assert company.default_time_zone() == "Europe/Madrid"
    assert company.sender_lines() == [
        "Tienda Ana S.L.",
        "Calle Mayor 1",
        "28013 Madrid",
        "España",
        "Tax id: B12345678",
        "+34 912 34 56 78",
        "hola@tiendaana.es",
        "https://tiendaana.es",
    ]
    assert company.email_footer() == (
        "Tienda Ana S.L. · Calle Mayor 1, 28013 Madrid, España · Tax id: B12345678"
        " · https://tiendaana.es"
    )
    (entry,) = AuditEntry.objects.filter(content_type__model="companyprofile")
    assert entry.action == "create"
    assert entry.changes["tax_id"] == ["", "B12345678"]
    page = admin_client.get(URL).content.decode()
    assert 'value="B12345678"' in page
    assert "Base currency" in page  # kept by sales, shown with a link
    assert 'href="/settings/currencies/"' in page


def test_an_unchanged_save_writes_no_audit_entry(admin_client: Client) -> None:
    admin_client.post(URL, profile_data())
    admin_client.post(URL, profile_data())
    assert AuditEntry.objects.filter(content_type__model="companyprofile").count() == 1
    admin_client.post(URL, profile_data(tax_id="B87654321"))
    last = AuditEntry.objects.filter(content_type__model="companyprofile").latest("id")
    assert last.changes == {"tax_id": ["B12345678", "B87654321"]}


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "not-an-address"}, "email", "is not a valid e-mail address"),
        ({"phone": "12"}, "phone", "is not a valid phone number"),
        ({"website": "ftp://example.com"}, "website", "starting with https://"),
        ({"website": "not a url"}, "website", "starting with https://"),
        ({"country": "XX"}, "country", "Select a valid choice"),
        ({"language": "tlh"}, "language", "Select a valid choice"),
        ({"time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice"),
        ({"address": "\n".join("line" for _ in range(7))}, "address", "At most 6 lines."),
        ({"address": "x" * 501}, "address", "at most 500 characters"),
        ({"name": "x" * 201}, "name", "at most 200 characters"),
        ({"tax_id": "x" * 51}, "tax_id", "at most 50 characters"),
    ],
)
def test_bad_values_are_refused_and_nothing_is_stored(
    admin_client: Client, media: Path, overrides: dict[str, Any], field: str, message: str
) -> None:
    data = profile_data(**overrides)
    data["logo"] = image_file()
    response = admin_client.post(URL, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert f'id="id_{field}-errors"' in body
    assert not CompanyProfile.objects.exists()
    assert stored_files(media) == []
    assert company.company_name() == "Clientela"


def test_non_admins_cannot_change_the_profile(rep_north: User) -> None:
    with pytest.raises(Exception, match="Not found"):
        company_services.company_profile_update(actor=rep_north, data={"name": "Mine"})
    assert not CompanyProfile.objects.exists()


# --- the logo -------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "content_type"), [("PNG", "image/png"), ("JPEG", "image/jpeg")])
def test_a_png_or_jpeg_logo_is_stored_and_served(
    admin_client: Client, media: Path, kind: str, content_type: str
) -> None:
    response = admin_client.post(URL, {**profile_data(), "logo": image_file(kind, (2400, 600))})
    assert response.status_code == 302
    served = admin_client.get(LOGO_URL)
    assert served.status_code == 200
    assert served["Content-Type"] == content_type
    with Image.open(io.BytesIO(served.content)) as image:
        assert image.format == kind
        assert image.size == (1200, 300)  # kept at most 1,200 px a side
    assert len(stored_files(media)) == 1
    assert LOGO_URL in admin_client.get(URL).content.decode()


def test_a_new_logo_replaces_the_old_file_and_can_be_removed(
    admin_client: Client, media: Path, django_capture_on_commit_callbacks: Any
) -> None:
    admin_client.post(URL, {**profile_data(), "logo": image_file("PNG")})
    first = stored_files(media)
    # The old file goes once the new profile is committed.
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(URL, {**profile_data(), "logo": image_file("JPEG")})
    second = stored_files(media)
    assert len(second) == 1
    assert second != first
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(URL, {**profile_data(), "remove_logo": "on"})
    assert stored_files(media) == []
    assert CompanyProfile.objects.get().logo.name == ""
    assert admin_client.get(LOGO_URL).status_code == 404
    changes = AuditEntry.objects.filter(content_type__model="companyprofile").latest("id").changes
    assert changes["logo"][1] == ""


def svg() -> Any:
    body = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    return SimpleUploadedFile("logo.svg", body, content_type="image/svg+xml")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: image_file("GIF"), "Upload the logo as a PNG or JPEG image."),
        (lambda: image_file("BMP"), "Upload the logo as a PNG or JPEG image."),
        (svg, "Upload the logo as a PNG or JPEG image."),
        (
            lambda: SimpleUploadedFile("logo.png", b"\x89PNG\r\n\x1a\n" + b"junk" * 50),
            "Upload the logo as a PNG or JPEG image.",
        ),
        (
            lambda: SimpleUploadedFile("logo.png", b"hello"),
            "Upload the logo as a PNG or JPEG image.",
        ),
    ],
)
def test_other_files_are_refused_as_logo(
    admin_client: Client, media: Path, make: Any, message: str
) -> None:
    response = admin_client.post(URL, {**profile_data(), "logo": make()})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CompanyProfile.objects.exists()
    assert stored_files(media) == []


def test_too_large_logos_are_refused(
    admin_client: Client, media: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(company_services, "LOGO_MAX_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("logo.png", b"0" * (1024 * 1024 + 1))
    response = admin_client.post(URL, {**profile_data(), "logo": big})
    assert "The logo may be at most 1 MB." in response.content.decode()
    monkeypatch.setattr(company_services, "LOGO_MAX_PIXELS", 100)
    response = admin_client.post(URL, {**profile_data(), "logo": image_file("PNG", (20, 20))})
    assert "too large" in response.content.decode()
    assert not CompanyProfile.objects.exists()
    assert stored_files(media) == []


# --- what the profile decides elsewhere -------------------------------------------------


def test_the_company_name_falls_back_to_the_settings(admin: User, settings: Any) -> None:
    settings.CLIENTELA_COMPANY_NAME = ""
    settings.DEFAULT_FROM_EMAIL = "Tienda Ana <shop@example.com>"
    assert company.company_name() == "Tienda Ana"
    settings.CLIENTELA_COMPANY_NAME = "Ana's"
    assert company.company_name() == "Ana's"
    company_services.company_profile_update(actor=admin, data={"legal_name": "Ana SL"})
    assert company.company_name() == "Ana SL"
    company_services.company_profile_update(actor=admin, data={"name": "Ana"})
    assert company.company_name() == "Ana"
    assert company.email_footer() == "Ana SL"


def test_the_default_country_is_the_default_phone_region(admin: User, settings: Any) -> None:
    settings.CLIENTELA_DEFAULT_PHONE_REGION = "US"
    assert normalize_phone("(415) 555-0123") == "+14155550123"
    company_services.company_profile_update(actor=admin, data={"country": "ES"})
    assert normalize_phone("612 34 56 78") == "+34612345678"
    assert normalize_phone("415 555 0123", "US") == "+14155550123"  # a record's own country
    company_services.company_profile_update(actor=admin, data={"country": ""})
    assert company.default_country() == "US"  # unset: the server's setting again


def test_new_users_and_people_take_the_company_language(admin: User) -> None:
    company_services.company_profile_update(
        actor=admin, data={"language": "es", "time_zone": "Atlantic/Canary"}
    )
    user = user_create(username="nueva", password=PASSWORD, role_key="sales", team_name=None)
    assert (user.language, user.time_zone) == ("es", "Atlantic/Canary")
    person = person_create(actor=admin, data={"first_name": "Lola"})
    assert person.preferred_language == "es"
    explicit = person_create(actor=admin, data={"first_name": "Ann", "preferred_language": "en"})
    assert explicit.preferred_language == "en"
    form = PersonForm(users=[admin], custom_fields=[])
    assert form["preferred_language"].initial == "es"


def test_a_change_reaches_a_cached_profile_through_the_signal(admin: User) -> None:
    company_services.company_profile_update(actor=admin, data={"name": "Before"})
    assert company.company_name() == "Before"
    CompanyProfile.objects.filter(pk=1).update(name="Behind the cache")
    assert company.company_name() == "Before"  # cached for this process
    profile = CompanyProfile.objects.get()
    profile.save()  # as the Django admin site would
    assert company.company_name() == "Behind the cache"


def test_the_service_refuses_bad_types(admin: User) -> None:
    with pytest.raises(ValidationError) as exc:
        company_services.company_profile_update(
            actor=admin,
            data={"name": ["x"], "tax_id": 5},  # type: ignore[typeddict-item]
        )
    assert set(exc.value.message_dict) == {"name", "tax_id"}
    assert not CompanyProfile.objects.exists()
