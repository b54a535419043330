"""What an installation starts with is named in its language: the default pipeline
(migration 0002, in ``CLIENTELA_LANGUAGE`` = ``LANGUAGE_CODE``) and the demo data (in the
company's default language). Existing installations are not renamed."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command

from clientela.contacts.models import Person
from clientela.core import company
from clientela.core.models import Tag
from clientela.core.tests.test_cli import ROOT, _cli, _env
from clientela.sales.models import Deal, Pipeline, Product

default_pipeline = importlib.import_module("clientela.sales.migrations.0002_default_pipeline")

SPANISH_STAGES = ["Nuevo", "Cualificado", "Propuesta", "Negociación", "Ganada", "Perdida"]
SPANISH_TITLES = {
    "Reforma de oficina",
    "Nueva sucursal",
    "Suministros anuales",
    "Renovación de soporte",
    "Formación",
}
ENGLISH_STAGES = ["New", "Qualified", "Proposal", "Negotiation", "Won", "Lost"]


def _seed_pipeline() -> Pipeline:
    default_pipeline.create_default_pipeline(apps, None)
    return Pipeline.objects.get()


def _stage_names(pipeline: Pipeline) -> list[str]:
    return list(pipeline.stages.order_by("position").values_list("name", flat=True))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "name", "stages"),
    [("es", "Ventas", SPANISH_STAGES), ("en", "Sales", ENGLISH_STAGES)],
)
def test_the_default_pipeline_is_named_in_the_installations_language(
    settings: Any, language: str, name: str, stages: list[str]
) -> None:
    Pipeline.objects.all().delete()
    settings.LANGUAGE_CODE = language
    pipeline = _seed_pipeline()
    assert pipeline.name == name
    assert _stage_names(pipeline) == stages
    # Undoing the migration finds it by the same name.
    default_pipeline.remove_default_pipeline(apps, None)
    assert not Pipeline.objects.exists()


@pytest.mark.django_db
def test_an_existing_installation_is_not_renamed(settings: Any) -> None:
    # An installation migrated in English (made here: a test that flushes the tables
    # may have run first in this process).
    Pipeline.objects.all().delete()
    settings.LANGUAGE_CODE = "en"
    default_pipeline.create_default_pipeline(apps, None)
    before = Pipeline.objects.get()
    assert before.name == "Sales"
    settings.LANGUAGE_CODE = "es"
    default_pipeline.create_default_pipeline(apps, None)
    assert list(Pipeline.objects.values_list("name", flat=True)) == ["Sales"]
    assert _stage_names(before) == ENGLISH_STAGES


@pytest.mark.django_db
def test_the_demo_data_is_named_in_the_companys_language() -> None:
    company.remember_profile(company.Profile(language="es"), seconds=float("inf"))
    call_command("demo", seed=3, verbosity=0, people=30, organizations=6)
    assert Product.objects.get(sku="DLV-STD").name == "Entrega"
    tags = set(Tag.objects.values_list("name", flat=True))
    assert "Boletín" in tags
    assert not tags & {"Newsletter", "Wholesale", "Retail", "Key account"}
    titles = list(Deal.objects.values_list("title", flat=True))
    assert titles
    assert all(t.split(" · ")[0] in SPANISH_TITLES for t in titles)
    assert Person.objects.exists()


@pytest.mark.django_db
def test_the_demo_data_is_in_english_for_an_english_company() -> None:
    company.remember_profile(company.Profile(language="en"), seconds=float("inf"))
    call_command("demo", seed=3, verbosity=0, people=30, organizations=6)
    assert Product.objects.get(sku="DLV-STD").name == "Delivery"
    assert "Boletín" not in set(Tag.objects.values_list("name", flat=True))


# --- a real new installation: `clientela migrate` with CLIENTELA_LANGUAGE ----------------

READ_PIPELINES = (
    "import django; django.setup()\n"
    "from clientela.sales.models import Pipeline\n"
    "for p in Pipeline.objects.all():\n"
    "    print(p.name, *p.stages.order_by('position').values_list('name', flat=True), sep='|')\n"
)


def test_a_spanish_installation_starts_with_ventas(tmp_path: Path) -> None:
    env = _env(tmp_path, CLIENTELA_LANGUAGE="es")
    migrated = _cli(env, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    read = subprocess.run(
        [sys.executable, "-c", READ_PIPELINES],
        env={**env, "DJANGO_SETTINGS_MODULE": "clientela.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert read.returncode == 0, read.stderr
    assert read.stdout.strip().split("|") == ["Ventas", *SPANISH_STAGES]


def test_a_language_we_do_not_offer_stops_start_up(tmp_path: Path) -> None:
    result = _cli(_env(tmp_path, CLIENTELA_LANGUAGE="fr"), "check")
    assert result.returncode != 0
    assert "CLIENTELA_LANGUAGE" in result.stderr
    assert "Traceback" not in result.stderr
