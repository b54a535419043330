"""The kinds of analysis a snapshot can hold, declared once (issue 13, item 10).

Each kind says which result tables its snapshots fill, how far back it looks by
default, the page that shows it and the function the worker runs to compute it. The
refresh service, the worker's job, the "Refresh now" buttons and the API's
``POST /analytics/refresh`` all read this registry, so a new analysis is one
``register_analysis`` call (in ``AnalyticsConfig.ready``) and its own module:

    register_analysis(Analysis(
        kind=AnalysisKind.CYCLES, rows=(CycleRow,), run=run_cycles,
        default_months=None, page="analytics:cycles",
    ))

``run(snapshot, progress)`` fills the snapshot's rows (in transactions of its own) and
returns an ``Outcome``; ``progress(percent)`` records how far it is. Any exception
fails the snapshot: its rows are deleted, its error kept and the previous snapshot
stays the one pages read. A problem with the data that the user must hear about in
plain words is raised as ``analytics.errors.BadInput`` (its ``message`` is shown).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import transaction

from clientela.analytics import compute
from clientela.analytics.choices import AbcOf, AnalysisKind

if TYPE_CHECKING:
    from django.db.models import Model

    from clientela.analytics.models import Snapshot

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Outcome:
    """What a computation reports besides its rows: the base currency of its amounts,
    the currencies left out for want of an exchange rate, and anything else to keep in
    the snapshot's ``parameters`` (a fitted model's parameters, counts…)."""

    base_currency: str = ""
    missing_rates: frozenset[str] = frozenset()
    parameters: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Analysis:
    kind: str
    #: The models of the rows a snapshot of this kind fills (each has ``snapshot``).
    rows: tuple[type[Model], ...]
    run: Callable[[Snapshot, Progress], Outcome]
    #: The page that shows it (a URL name), where "Refresh now" returns to.
    page: str
    #: How many months before the as-of day the analysis reads; None: every order.
    default_months: int | None = None
    #: Parameters a refresh stores on the snapshot unless told otherwise.
    default_parameters: Callable[[], dict[str, Any]] = dict
    #: Keep one finished snapshot per as-of day instead of only the newest (a fit as of
    #: a past day is a backtest, kept beside the current one): a new snapshot replaces
    #: the one of its own day, one as of the day it is computed also replaces the
    #: previous such one, and only the newest ``services.MAX_BACKTESTS`` past days stay.
    #: The current snapshot of such a kind is the one with the latest as-of.
    keep_per_as_of: bool = False


ANALYSES: dict[str, Analysis] = {}


def register_analysis(analysis: Analysis) -> Analysis:
    ANALYSES[str(analysis.kind)] = analysis
    return analysis


def analysis_of(kind: str) -> Analysis:
    """The registered analysis ``kind`` (KeyError when there is none)."""
    return ANALYSES[str(kind)]


def registered() -> list[str]:
    """The kinds of analysis there are, in the order of ``AnalysisKind``."""
    return [k for k in AnalysisKind.values if k in ANALYSES]


def period_of(snapshot: Snapshot) -> compute.Period:
    return compute.Period(snapshot.period_start, snapshot.period_end)


def _run_abc(snapshot: Snapshot, progress: Progress) -> Outcome:
    thresholds = compute.Thresholds(**snapshot.parameters.get("thresholds", {}))
    read: compute.Source | None = None
    for step, of in enumerate((AbcOf.CUSTOMERS, AbcOf.PRODUCTS), start=1):
        with transaction.atomic():
            read = compute.abc_into(snapshot.pk, of, period_of(snapshot), thresholds, read)
        progress(50 * step)
    assert read is not None
    return Outcome(read.base_currency, frozenset(read.missing_rates))


def _run_rfm(snapshot: Snapshot, progress: Progress) -> Outcome:
    with transaction.atomic():
        read = compute.rfm_into(snapshot.pk, period_of(snapshot))
    return Outcome(read.base_currency, frozenset(read.missing_rates))


def register_builtin() -> None:
    """ABC and RFM (``AnalyticsConfig.ready``)."""
    from clientela.analytics.models import AbcRow, RfmRow  # noqa: PLC0415

    register_analysis(
        Analysis(
            kind=AnalysisKind.ABC,
            rows=(AbcRow,),
            run=_run_abc,
            page="analytics:abc",
            # ABC over the last year.
            default_months=12,
            default_parameters=lambda: {"thresholds": compute.Thresholds().as_dict()},
        )
    )
    register_analysis(
        Analysis(
            kind=AnalysisKind.RFM,
            rows=(RfmRow,),
            run=_run_rfm,
            page="analytics:rfm",
            # Further back than ABC, so that customers who stopped buying a while ago
            # still show (as At risk, Hibernating or Lost) instead of dropping out.
            default_months=36,
        )
    )
