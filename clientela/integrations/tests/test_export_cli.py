"""``clientela export people|organizations --user NAME --format …``."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from clientela.cli import main
from clientela.integrations.tests.vcard_reader import read_cards

pytestmark = pytest.mark.django_db


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*args: str, stdout: Any = None) -> str:
    out = stdout if stdout is not None else io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue() if isinstance(out, io.StringIO) else ""


@pytest.fixture
def north_and_south(rep_north: Any, rep_south: Any, person_factory: Any) -> None:
    person_factory(rep_north, last_name="Northman", tags=["VIP"])
    person_factory(rep_north, last_name="Plain")
    person_factory(rep_south, last_name="Southman")


def test_json_to_stdout_holds_what_the_user_may_see(north_and_south: None) -> None:
    records = json.loads(run("people", "--user", "nora_north", "--format", "json"))
    assert sorted(r["last_name"] for r in records) == ["Northman", "Plain"]
    records = json.loads(run("people", "--user", "SAM_SOUTH", "--format", "json"))
    assert [r["last_name"] for r in records] == ["Southman"]


def test_csv_is_the_default_and_has_no_bom_on_stdout(north_and_south: None) -> None:
    text = run("people", "--user", "nora_north")
    assert not text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["id", "first name", "last name"]
    assert sorted(r[2] for r in rows[1:]) == ["Northman", "Plain"]


def test_vcard_to_stdout(north_and_south: None) -> None:
    cards = read_cards(run("people", "--user", "nora_north", "--format", "vcf").encode())
    assert len(cards) == 2


def test_filters_option(north_and_south: None) -> None:
    records = json.loads(
        run("people", "--user", "nora_north", "--format", "json", "--filters", "q=northman")
    )
    assert [r["last_name"] for r in records] == ["Northman"]


def test_bad_filters_are_an_error(rep_north: Any) -> None:
    with pytest.raises(CommandError, match="--filters: sort"):
        run("people", "--user", "nora_north", "--filters", "sort=shoe_size")


def test_xlsx_to_a_file(north_and_south: None, tmp_path: Path) -> None:
    target = tmp_path / "people.xlsx"
    assert run("people", "--user", "nora_north", "--format", "xlsx", "--output", str(target)) == ""
    sheet = load_workbook(target, read_only=True).worksheets[0]
    names = sorted(str(row[2]) for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["Northman", "Plain"]


def test_csv_to_a_file_has_a_bom(north_and_south: None, tmp_path: Path) -> None:
    target = tmp_path / "people.csv"
    run("organizations", "--user", "nora_north", "--output", str(target))
    assert target.read_bytes().startswith(b"\xef\xbb\xbfid,name,")


def test_xlsx_is_refused_on_a_terminal(rep_north: Any) -> None:
    terminal = Terminal()
    with pytest.raises(CommandError, match=r"binary format.*--output"):
        run("people", "--user", "nora_north", "--format", "xlsx", stdout=terminal)
    assert terminal.getvalue() == ""


def test_xlsx_goes_to_a_pipe_as_bytes(north_and_south: None) -> None:
    pipe = io.TextIOWrapper(io.BytesIO(), encoding="utf-8")
    run("people", "--user", "nora_north", "--format", "xlsx", stdout=pipe)
    data = pipe.buffer.getvalue()
    assert data.startswith(b"PK")
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 3


def test_unknown_user_is_a_clear_error(db: Any) -> None:
    with pytest.raises(CommandError, match="There is no user “ghost”"):
        run("people", "--user", "ghost")


def test_unwritable_output_is_a_clear_error(rep_north: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Cannot write"):
        run("people", "--user", "nora_north", "--output", str(tmp_path / "missing" / "x.csv"))


def test_console_script_exits_non_zero_with_one_line(
    rep_north: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "people", "--user", "ghost"]) != 0
    err = capsys.readouterr().err.strip()
    assert "There is no user “ghost”" in err
    assert "Traceback" not in err
    assert main(["export", "pipelines", "--user", "nora_north"]) != 0
    assert "invalid choice" in capsys.readouterr().err
