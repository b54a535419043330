"""The pipelines settings page (admins only; anyone else gets 404, as on the core
settings page): the pipelines and their stages, each form posting to its own URL.
A refused change re-renders the page with that form's errors next to its fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from clientela.core.forms import add_service_errors
from clientela.core.views.records import AuthedRequest, not_found_as_404, require_admin
from clientela.sales.forms.pipelines import PipelineForm, StageForm
from clientela.sales.models import Pipeline, Stage
from clientela.sales.selectors import pipelines as selectors
from clientela.sales.services import pipelines as services


def _pipeline_form(pipeline: Pipeline, data: Any = None) -> PipelineForm:
    return PipelineForm(
        data,
        prefix=f"p{pipeline.pk}",
        initial={"name": pipeline.name, "is_active": pipeline.is_active},
    )


def _stage_form(stage: Stage, data: Any = None) -> StageForm:
    return StageForm(
        data,
        prefix=f"s{stage.pk}",
        initial={
            "name": stage.name,
            "probability": stage.probability,
            "is_won": stage.is_won,
            "is_lost": stage.is_lost,
        },
    )


def _render(
    request: AuthedRequest, bound: dict[str, forms.Form] | None = None, status: int = 200
) -> HttpResponse:
    """The page; ``bound`` holds forms (by prefix) re-shown with the user's input and
    errors instead of fresh ones."""
    bound = bound or {}
    blocks = []
    for pipeline in selectors.pipeline_list():
        stages = list(pipeline.stages.all())
        blocks.append(
            {
                "pipeline": pipeline,
                "form": bound.get(f"p{pipeline.pk}") or _pipeline_form(pipeline),
                "stages": [
                    {"stage": s, "form": bound.get(f"s{s.pk}") or _stage_form(s)} for s in stages
                ],
                "new_stage_form": bound.get(f"new{pipeline.pk}")
                or StageForm(prefix=f"new{pipeline.pk}"),
            }
        )
    context = {
        "blocks": blocks,
        "new_form": bound.get("new") or PipelineForm(prefix="new"),
    }
    return render(request, "sales/pipelines/pipeline_list.html", context, status=status)


def _back(pipeline_pk: int | None = None) -> HttpResponse:
    url = reverse("sales:pipeline-list")
    return redirect(f"{url}#pipeline-{pipeline_pk}" if pipeline_pk else url)


@login_required
@require_GET
def pipeline_list(request: AuthedRequest) -> HttpResponse:
    require_admin(request)
    return _render(request)


@login_required
@require_POST
def pipeline_create(request: AuthedRequest) -> HttpResponse:
    require_admin(request)
    form = PipelineForm(request.POST, prefix="new")
    if form.is_valid():
        try:
            pipeline = services.pipeline_create(actor=request.user, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Pipeline “%(name)s” created with the usual stages; adjust them below.")
                % {"name": pipeline.name},
            )
            return _back(pipeline.pk)
    return _render(request, {"new": form})


@login_required
@require_POST
@not_found_as_404
def pipeline_update(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    pipeline = selectors.pipeline_get(pk=pk)
    form = _pipeline_form(pipeline, request.POST)
    if form.is_valid():
        try:
            services.pipeline_update(actor=request.user, pipeline=pipeline, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Pipeline saved."))
            return _back(pipeline.pk)
    return _render(request, {form.prefix or "": form})


@login_required
@require_POST
@not_found_as_404
def pipeline_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    pipeline = selectors.pipeline_get(pk=pk)
    try:
        services.pipeline_delete(actor=request.user, pipeline=pipeline)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back(pipeline.pk)
    messages.success(request, _("Pipeline “%(name)s” deleted.") % {"name": pipeline.name})
    return _back()


@login_required
@require_POST
@not_found_as_404
def stage_create(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    pipeline = selectors.pipeline_get(pk=pk)
    form = StageForm(request.POST, prefix=f"new{pipeline.pk}")
    if form.is_valid():
        try:
            stage = services.stage_create(
                actor=request.user, pipeline=pipeline, data=form.to_data()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Stage “%(name)s” added.") % {"name": stage.name})
            return _back(pipeline.pk)
    return _render(request, {form.prefix or "": form})


@login_required
@require_POST
@not_found_as_404
def stage_update(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    stage = selectors.stage_get(pk=pk)
    form = _stage_form(stage, request.POST)
    if form.is_valid():
        try:
            services.stage_update(actor=request.user, stage=stage, data=form.to_data())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Stage saved."))
            return _back(stage.pipeline_id)
    return _render(request, {form.prefix or "": form})


@login_required
@require_POST
@not_found_as_404
def stage_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """Up or down one place (buttons, so reordering works from a keyboard or a phone)."""
    require_admin(request)
    stage = selectors.stage_get(pk=pk)
    offset = -1 if request.POST.get("direction") == "up" else 1
    services.stage_move(actor=request.user, stage=stage, offset=offset)
    return _back(stage.pipeline_id)


@login_required
@require_POST
@not_found_as_404
def stage_reorder(request: AuthedRequest, pk: int) -> HttpResponse:
    """The whole order at once (``stage`` repeated, first to last)."""
    require_admin(request)
    pipeline = selectors.pipeline_get(pk=pk)
    ids = [int(v) for v in request.POST.getlist("stage") if v.isdigit()]
    try:
        services.stage_reorder(actor=request.user, pipeline=pipeline, stage_ids=ids)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back(pipeline.pk)


@login_required
@require_POST
@not_found_as_404
def stage_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    require_admin(request)
    stage = selectors.stage_get(pk=pk)
    try:
        services.stage_delete(actor=request.user, stage=stage)
    except ValidationError as exc:
        messages.error(
            request,
            _("“%(name)s” was not deleted: %(reason)s")
            % {"name": stage.name, "reason": " ".join(exc.messages)},
        )
    else:
        messages.success(request, _("Stage “%(name)s” deleted.") % {"name": stage.name})
    return _back(stage.pipeline_id)


urlpatterns: list[URLPattern] = [
    path("settings/pipelines/", pipeline_list, name="pipeline-list"),
    path("settings/pipelines/new/", pipeline_create, name="pipeline-create"),
    path("settings/pipelines/<int:pk>/", pipeline_update, name="pipeline-update"),
    path("settings/pipelines/<int:pk>/delete/", pipeline_delete, name="pipeline-delete"),
    path("settings/pipelines/<int:pk>/stages/new/", stage_create, name="stage-create"),
    path("settings/pipelines/<int:pk>/stages/order/", stage_reorder, name="stage-reorder"),
    path("settings/stages/<int:pk>/", stage_update, name="stage-update"),
    path("settings/stages/<int:pk>/move/", stage_move, name="stage-move"),
    path("settings/stages/<int:pk>/delete/", stage_delete, name="stage-delete"),
]
