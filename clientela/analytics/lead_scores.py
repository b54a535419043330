"""Lead scoring on the database (issue 13, item 7): the ``lead_scores`` analysis the
worker runs (nightly and on "Refresh now") and the rescoring of one lead after it
changed.

``run_lead_scores`` reads every live converted or disqualified lead as a labelled
example, picks the method (``leadscore.model.choose_method``: the model from 50 labelled
leads with 10 of each outcome, else the rules), trains and measures the model, keeps it
in a ``LeadModel`` row of the snapshot and writes each open lead's score and reasons
through ``sales.services.leads.lead_scores_set``. Its quality goes to the snapshot's
parameters: method, why rules, ROC AUC, labelled counts, trained_at, top factors.

After a lead is created or changed (and after an interaction logged on a lead), the
``core.registry`` record-written hook calls ``rescore_lead``: the lead is scored again
with the current snapshot's scorer, loaded once per process and kept until a newer
snapshot replaces it. The reasons are written in the company's language
(``core.company.default_language``), since one lead's reasons are read by everyone.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Callable, Iterable
from importlib.metadata import version
from typing import Any

from django.db.models import Case, Count, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone, translation

from clientela.activities.models import Interaction
from clientela.analytics.analyses import Outcome, Progress
from clientela.analytics.choices import AnalysisKind, ScoringMethod, SnapshotStatus
from clientela.analytics.leadscore.features import LeadFacts, Scored
from clientela.analytics.leadscore.rules import choose_method, rules_score
from clientela.analytics.models import LeadModel, Snapshot
from clientela.core import company
from clientela.sales.choices import LeadStatus
from clientela.sales.models import Lead
from clientela.sales.services.leads import lead_scores_set

logger = logging.getLogger(__name__)

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)
LABELLED_STATUSES = (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED)
#: Open leads scored and written per round.
BATCH = 1000

Scorer = Callable[[list[LeadFacts]], list[Scored]]


def _interactions() -> Case:
    """The live interactions logged on the lead (``related_type`` "sales.lead"), for a
    converted lead those before its conversion: the note the conversion itself logs
    must not teach the model that converted leads have one more interaction."""
    logged = Interaction.objects.filter(
        related_type=Lead.RESOURCE, related_id=OuterRef("pk"), deleted_at__isnull=True
    )

    def count(qs: QuerySet[Interaction]) -> Subquery:
        return Subquery(qs.values("related_id").annotate(n=Count("pk")).values("n"))

    return Case(
        When(converted_at__isnull=True, then=count(logged)),
        default=count(logged.filter(created_at__lt=OuterRef("converted_at"))),
    )


def with_facts(leads: QuerySet[Lead]) -> Iterable[tuple[int, LeadFacts]]:
    """Each lead's id and facts, read in one query."""
    rows = leads.annotate(interactions=Coalesce(_interactions(), Value(0))).values_list(
        "pk", "source", "company", "job_title", "email", "phone", "interactions"
    )
    for pk, source, company_name, title, email, phone, interactions in rows.iterator(
        chunk_size=BATCH
    ):
        yield (
            pk,
            LeadFacts(
                source=source,
                company=company_name,
                job_title=title,
                email=email,
                phone=phone,
                interactions=int(interactions or 0),
            ),
        )


def _rules(many: list[LeadFacts]) -> list[Scored]:
    return [rules_score(f) for f in many]


def _write(scorer: Scorer, batch: list[tuple[int, LeadFacts]]) -> int:
    with translation.override(company.default_language()):
        scored = scorer([facts for _pk, facts in batch])
    return lead_scores_set(
        scores={pk: (s.score, s.reasons) for (pk, _f), s in zip(batch, scored, strict=True)}
    )


def run_lead_scores(snapshot: Snapshot, progress: Progress) -> Outcome:
    """The ``lead_scores`` analysis (``analyses.register_analysis``)."""
    alive = Lead.objects.filter(deleted_at__isnull=True)
    labelled = list(with_facts(alive.filter(status__in=LABELLED_STATUSES).order_by("pk")))
    converted_ids = set(alive.filter(status=LeadStatus.CONVERTED).values_list("pk", flat=True))
    outcomes = [pk in converted_ids for pk, _f in labelled]
    converted = sum(outcomes)
    disqualified = len(outcomes) - converted
    method, why = choose_method(converted, disqualified)
    parameters: dict[str, Any] = {
        "method": method,
        "why": why,
        "labelled": len(outcomes),
        "converted": converted,
        "disqualified": disqualified,
        "auc": None,
        "tested": 0,
        "top_factors": [],
        "trained_at": timezone.now().isoformat(),
    }
    scorer: Scorer = _rules
    stored = b""
    if method == ScoringMethod.MODEL:
        from clientela.analytics.leadscore.model import train  # noqa: PLC0415 (scikit-learn)

        trained = train([f for _pk, f in labelled], outcomes)
        scorer = trained.scorer.score_many
        stored = pickle.dumps(trained.scorer, protocol=pickle.HIGHEST_PROTOCOL)
        parameters.update(
            sklearn=version("scikit-learn"),
            auc=round(trained.auc, 4),
            tested=trained.tested,
            top_factors=[[name, round(w, 4)] for name, w in trained.scorer.top_factors()],
        )
    progress(40)
    LeadModel.objects.create(snapshot=snapshot, method=method, model=stored)
    # The ids first, then each batch read and written: no read stays open across writes.
    ids = list(alive.filter(status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True))
    total, scored = len(ids), 0
    for start in range(0, total, BATCH):
        batch = list(
            with_facts(Lead.objects.filter(pk__in=ids[start : start + BATCH]).order_by("pk"))
        )
        scored += _write(scorer, batch)
        progress(40 + 60 * (start + len(batch)) // total)
    parameters["open"] = total
    parameters["scored"] = scored
    return Outcome(parameters=parameters)


# --- one lead, after it changed -----------------------------------------------------------

#: The scorer of the current snapshot, loaded once per process: (snapshot id, scorer).
_loaded: tuple[int, Scorer] | None = None


def forget_scorer() -> None:
    global _loaded
    _loaded = None


def _unpickle(data: bytes) -> object:
    # Written by run_lead_scores in the worker, never from a user's upload.
    return pickle.loads(data)  # noqa: S301


def current_scorer() -> Scorer | None:
    """The scorer of the newest finished ``lead_scores`` snapshot (None: none yet, or
    its model cannot be read by this version of scikit-learn: the next run trains a
    new one)."""
    global _loaded
    snapshot_id = (
        Snapshot.objects.filter(kind=AnalysisKind.LEAD_SCORES, status=SnapshotStatus.DONE)
        .order_by("-finished_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if snapshot_id is None:
        return None
    if _loaded is not None and _loaded[0] == snapshot_id:
        return _loaded[1]
    row = LeadModel.objects.filter(snapshot_id=snapshot_id).first()
    if row is None:
        return None
    scorer: Scorer = _rules
    if row.method == ScoringMethod.MODEL:
        try:
            fitted = _unpickle(bytes(row.model))
        except Exception:
            logger.exception("lead scoring model of snapshot %s unreadable", snapshot_id)
            return None
        from clientela.analytics.leadscore.model import ModelScorer  # noqa: PLC0415

        if not isinstance(fitted, ModelScorer):
            return None
        scorer = fitted.score_many
    _loaded = (snapshot_id, scorer)
    return scorer


def rescore_lead(lead_id: int) -> None:
    """Score one open lead again with the current scorer (nothing before the first
    scoring run, nothing for a closed or trashed lead)."""
    scorer = current_scorer()
    if scorer is None:
        return
    leads = Lead.objects.filter(pk=lead_id, deleted_at__isnull=True, status__in=OPEN_STATUSES)
    found = list(with_facts(leads))
    if found:
        _write(scorer, found)


def rescore_for_interaction(interaction_id: int) -> None:
    """Score again the lead an interaction is logged on, if it is on one."""
    link = (
        Interaction.objects.filter(pk=interaction_id, related_type=Lead.RESOURCE)
        .values_list("related_id", flat=True)
        .first()
    )
    if link is not None:
        rescore_lead(link)
