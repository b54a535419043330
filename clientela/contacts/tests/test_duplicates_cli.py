"""``clientela duplicates people|organizations``: JSON shape and order, scope with
``--user``, and bad input as one line with a non-zero exit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connections

from clientela.cli import main
from clientela.contacts import data_quality
from clientela.contacts.models import DuplicateKind


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: Any) -> None:
    # As in core/tests/test_cli.py: a command run in-process must not close the
    # connection that holds the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(["duplicates", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def base(rep_north: Any, rep_south: Any, person_factory: Any) -> dict[str, Any]:
    north = person_factory(rep_north, first_name="Maria", last_name="Garcia", email="m@x.com")
    south = person_factory(rep_south, first_name="Maria", last_name="Garcia", email="m@x.com")
    n2 = person_factory(rep_north, first_name="Pablo", last_name="Ruiz", phone="+34612345678")
    n3 = person_factory(rep_north, first_name="Pablo", last_name="Ruis", phone="+34612345678")
    person_factory(rep_north, first_name="Otto", last_name="Brandt")
    return {"north": north, "south": south, "n2": n2, "n3": n3}


def test_json_lists_pairs_best_first(capsys: Any, base: dict[str, Any]) -> None:
    code, out, err = run(capsys, "people", "--format", "json")
    assert code == 0, err
    pairs = json.loads(out)
    assert [set(p) for p in pairs] == [{"a", "b", "score", "reasons"}] * 2
    assert all(isinstance(p["a"], int) and p["a"] < p["b"] for p in pairs)
    assert all(0 <= p["score"] <= 1 for p in pairs)
    assert [p["score"] for p in pairs] == sorted((p["score"] for p in pairs), reverse=True)
    by_pair = {(p["a"], p["b"]): p for p in pairs}
    maria = by_pair[(base["north"].pk, base["south"].pk)]
    assert maria["reasons"] == ["same e-mail", "same name"]
    assert "same phone" in by_pair[(base["n2"].pk, base["n3"].pk)]["reasons"]


def test_min_score_and_user_scope(capsys: Any, base: dict[str, Any]) -> None:
    _code, out, _err = run(capsys, "people", "--format", "json", "--user", "nora_north")
    assert [(p["a"], p["b"]) for p in json.loads(out)] == [(base["n2"].pk, base["n3"].pk)]
    _code, out, _err = run(capsys, "people", "--format", "json", "--user", "SAM_SOUTH")
    assert json.loads(out) == []
    _code, out, _err = run(capsys, "people", "--format", "json", "--min-score", "0.99")
    assert [(p["a"], p["b"]) for p in json.loads(out)] == [(base["north"].pk, base["south"].pk)]


def test_dismissed_pairs_are_not_printed(capsys: Any, admin: Any, base: dict[str, Any]) -> None:
    data_quality.duplicate_dismiss(
        actor=admin, kind=DuplicateKind.PERSON, a=base["north"].pk, b=base["south"].pk
    )
    _code, out, _err = run(capsys, "people", "--format", "json")
    assert [(p["a"], p["b"]) for p in json.loads(out)] == [(base["n2"].pk, base["n3"].pk)]


def test_table_format(capsys: Any, base: dict[str, Any]) -> None:
    code, out, _err = run(capsys, "people")
    assert code == 0
    assert "same e-mail, same name" in out
    assert "2 likely duplicate pairs." in out
    code, out, _err = run(capsys, "organizations", "--format", "table")
    assert code == 0
    assert "No likely duplicates." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["persons"], "Unknown kind “persons”"),
        (["people", "--min-score", "1.5"], "--min-score must be a number from 0 to 1"),
        (["people", "--min-score", "high"], "--min-score must be a number from 0 to 1"),
        (["people", "--format", "xml"], "Unknown format “xml”"),
        (["people", "--user", "nobody"], "There is no user “nobody”"),
        ([], "kind"),
    ],
)
def test_bad_input_is_one_line_and_a_non_zero_exit(
    capsys: Any, db: Any, args: list[str], message: str
) -> None:
    code, out, err = run(capsys, *args)
    assert code != 0
    assert message in err
    assert "Traceback" not in err
    assert out == ""
