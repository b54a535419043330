"""The import pages: the user's imports, the upload, one page per job whose content
follows the job's status (mapping → dry run → progress → result), the progress partial
that htmx polls, and the row report as CSV.

Thin by design: every write is an ``integrations.services`` call, every read goes
through ``integrations.selectors``; these views only parse the form and pick the
template. Only users who may create the kind of record a job imports see its pages.
"""

from __future__ import annotations

import csv
import functools
import itertools
from collections.abc import Callable, Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_countries import countries

from clientela.core.company import default_country
from clientela.core.errors import NotFound
from clientela.core.pagination import WindowPaginator
from clientela.core.permissions import rights_for
from clientela.core.views.records import AuthedRequest, not_found_as_404
from clientela.integrations import selectors, services
from clientela.integrations.exports.cells import neutralize
from clientela.integrations.imports import consents
from clientela.integrations.imports.mapping import (
    guess_mapping,
    import_kind,
    import_kinds,
    targets_for,
)
from clientela.integrations.imports.readers import ImportFileError, open_table
from clientela.integrations.imports.runner import summary
from clientela.integrations.models import ImportJob, ImportKind, ImportStatus, OnDuplicate
from clientela.marketing.choices import LegalBasis

#: Imports this small run in the request that starts them (no worker needed to see a
#: handful of rows in; the browser test relies on it). Larger ones go to the worker.
INLINE_ROWS_RUN = 200
#: Sample values shown under each column of the mapping form.
SAMPLE_ROWS = 3
#: The statuses during which the job page polls the progress partial.
IN_PROGRESS = (
    ImportStatus.READING,
    ImportStatus.CHECKING,
    ImportStatus.QUEUED,
    ImportStatus.RUNNING,
)
ISSUES_ID = "import-issues"
ACCEPT = ".csv,.tsv,.txt,.xlsx,.vcf"


# --- who may import ------------------------------------------------------------------------


def importable_kinds(user: Any) -> list[str]:
    """The kinds of record this user may create, hence import."""
    may_create = {k.path for k in import_kinds() if rights_for(user, k.resource).create}
    return [kind for kind in ImportKind.values if kind in may_create]


def _require_any(user: Any) -> list[str]:
    kinds = importable_kinds(user)
    if not kinds:
        raise PermissionDenied(_("Your role does not allow you to import records."))
    return kinds


def _job(request: AuthedRequest, pk: int) -> ImportJob:
    """The user's job (404 for someone else's), if they may still create its kind."""
    job = selectors.import_get(user=request.user, pk=pk)
    if not rights_for(request.user, import_kind(job.kind).resource).create:
        raise PermissionDenied(_("Your role does not allow you to import records."))
    return job


def _job_url(job: ImportJob) -> str:
    return reverse("integrations:import-detail", kwargs={"pk": job.pk})


def _messages_of(exc: ValidationError) -> dict[str, list[str]]:
    """The messages by key; errors of no field under ``general`` (templates cannot read
    ``__all__``)."""
    if not hasattr(exc, "error_dict"):
        return {"general": list(exc.messages)}
    return {
        ("general" if key == NON_FIELD_ERRORS else key): list(values)
        for key, values in exc.message_dict.items()
    }


# --- the list ---------------------------------------------------------------------------------


@login_required
@require_GET
def import_list(request: AuthedRequest) -> HttpResponse:
    kinds = _require_any(request.user)
    jobs = selectors.import_list(user=request.user)
    page = WindowPaginator(jobs, settings.CLIENTELA_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "jobs": page.object_list,
        "list_url": reverse("integrations:import-list"),
        "results_id": "import-list",
        "show_user": getattr(request.user, "is_admin", False),
        "kinds": kinds,
    }
    return render(request, "integrations/import_list.html", context)


# --- the upload -------------------------------------------------------------------------------


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV, TSV or text, Excel (.xlsx) or vCard (.vcf)."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Records to import"),
        choices=[("", gettext_lazy("Guess from the columns")), *ImportKind.choices],
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: AuthedRequest, kind: str = "") -> HttpResponse:
    _require_any(request.user)
    if request.method == "POST":
        form = ImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = services.import_upload(
                    actor=request.user,
                    upload=upload,
                    filename=upload.name or "",
                    kind=form.cleaned_data["kind"],
                )
            except ValidationError as exc:
                for field, errors in _messages_of(exc).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            except PermissionDenied as exc:
                form.add_error("kind", str(exc) or _("You may not import these records."))
            else:
                if job.status == ImportStatus.READING:
                    done = _("“%(file)s” uploaded; it is being read, then its columns are shown.")
                else:
                    done = _("“%(file)s” uploaded: check how its columns are matched.")
                messages.success(request, done % {"file": job.filename})
                return redirect(_job_url(job))
    else:
        initial_kind = kind if kind in ImportKind.values else ""
        form = ImportUploadForm(initial={"kind": initial_kind})
    status = 400 if form.errors else 200
    return render(
        request,
        "integrations/import_new.html",
        {"form": form, "max_mb": settings.CLIENTELA_MAX_IMPORT_MB},
        status=status,
    )


# --- one job ----------------------------------------------------------------------------------


def _samples(job: ImportJob) -> list[list[str]]:
    """The first rows' values, column by column (empty lists if the file went away)."""
    columns: list[list[str]] = [[] for _header in job.headers]
    try:
        rows = open_table(job.file.path, filename=job.filename).rows()
        for row in itertools.islice(rows, SAMPLE_ROWS):
            for index, cell in enumerate(row.cells[: len(columns)]):
                if cell:
                    columns[index].append(cell[:80])
    except (ImportFileError, OSError, ValueError):
        pass
    return columns


def _mapping_context(
    job: ImportJob,
    *,
    kind: str,
    mapping: list[str],
    on_exact: str,
    on_similar: str,
    country: str = "",
    errors: dict[str, list[str]] | None = None,
    mapping_name: str = "",
    consent_terms: dict[str, Any] | None = None,
) -> dict[str, Any]:
    may_consent = kind == ImportKind.PEOPLE and consents.may_import_consent(job.user)
    targets = targets_for(kind, consent=may_consent)
    terms = consent_terms if consent_terms is not None else job.consent_terms
    samples = _samples(job)
    columns = [
        {
            "index": index,
            "header": header,
            "samples": samples[index] if index < len(samples) else [],
            "selected": mapping[index] if index < len(mapping) else "",
        }
        for index, header in enumerate(job.headers)
    ]
    return {
        "kind": kind,
        "kind_choices": ImportKind.choices,
        "targets": targets,
        "columns": columns,
        "on_exact": on_exact,
        "on_similar": on_similar,
        "duplicate_choices": OnDuplicate.choices,
        "country": country,
        "country_choices": list(countries),
        "site_country": default_country(),
        "saved_mappings": list(selectors.mapping_list(kind=kind)),
        "errors": errors or {},
        "mapping_name": mapping_name,
        "may_consent": may_consent,
        "consent_basis": terms.get("legal_basis") or LegalBasis.CONSENT,
        "consent_wording": terms.get("wording", ""),
        "basis_choices": LegalBasis.choices,
    }


def _posted_mapping(request: AuthedRequest, job: ImportJob) -> list[str]:
    return [request.POST.get(f"map_{index}", "").strip() for index in range(len(job.headers))]


def _render_job(
    request: AuthedRequest, job: ImportJob, extra: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "job": job,
        "job_url": _job_url(job),
        "in_progress": job.status in IN_PROGRESS,
        "list_url_name": import_kind(job.kind).url("list"),
        "inline_rows": INLINE_ROWS_RUN,
        "discardable": job.status in services.DISCARDABLE,
        "stale": services.import_is_stale(job),
    }
    if job.status == ImportStatus.NEW and not (extra and "columns" in extra):
        kind = request.GET.get("kind", job.kind)
        if (
            kind not in ImportKind.values
            or not rights_for(request.user, import_kind(kind).resource).create
        ):
            kind = job.kind
        mapping = job.mapping
        if kind != job.kind:
            mapping = guess_mapping(job.headers, kind)
        context.update(
            _mapping_context(
                job,
                kind=kind,
                mapping=mapping,
                on_exact=job.on_exact,
                on_similar=job.on_similar,
                country=job.country,
            )
        )
    if job.status in (ImportStatus.CHECKED, ImportStatus.DONE):
        dry_run = job.status == ImportStatus.CHECKED
        issues = selectors.import_issues(job=job, dry_run=dry_run)
        page = WindowPaginator(issues, settings.CLIENTELA_PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(
            {
                "page_obj": page,
                "issues": page.object_list,
                "list_url": context["job_url"],
                "results_id": ISSUES_ID,
                "report_url": reverse("integrations:import-report", kwargs={"pk": job.pk})
                + ("?run=check" if dry_run else "?run=import"),
                "preview": job.preview or {},
                "summary": _summary(job.preview or {}) if dry_run else _result(job),
                "to_write": _to_write(job.preview or {}),
                "consent_basis_label": LegalBasis(
                    job.consent_terms.get("legal_basis") or LegalBasis.CONSENT
                ).label,
            }
        )
        if request.htmx and request.htmx.target == ISSUES_ID:
            return render(request, "integrations/_import_issues.html", context)
    context.update(extra or {})
    return render(request, "integrations/import_detail.html", context, status=status)


def _to_write(preview: dict[str, Any]) -> int:
    """The rows the import will really write (created or updated), what its button
    names."""
    return int(preview.get("created", 0)) + int(preview.get("updated", 0))


def _result(job: ImportJob) -> str:
    """What the import wrote, in the dry run's sentence."""
    return summary(
        job.created + job.updated, job.partial, job.cells_left_out, job.failed, dry_run=False
    )


def _summary(preview: dict[str, Any]) -> str:
    return summary(
        _to_write(preview),
        int(preview.get("partial", 0)),
        int(preview.get("cells", 0)),
        int(preview.get("failed", 0)),
        dry_run=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def import_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    if request.method == "GET":
        return _render_job(request, job)
    if job.status != ImportStatus.NEW:
        messages.error(request, _("The columns of this import can no longer be changed."))
        return redirect(_job_url(job))
    kind = request.POST.get("kind", "")
    mapping = _posted_mapping(request, job)
    on_exact = request.POST.get("on_exact", "")
    on_similar = request.POST.get("on_similar", "")
    country = request.POST.get("country", "")
    action = request.POST.get("action", "check")
    mapping_name = request.POST.get("mapping_name", "")
    consent_terms = {
        "legal_basis": request.POST.get("consent_basis", ""),
        "wording": request.POST.get("consent_wording", ""),
    }

    def again(errors: dict[str, list[str]], *, status: int = 400, **changes: Any) -> HttpResponse:
        values: dict[str, Any] = {
            "kind": kind,
            "mapping": mapping,
            "on_exact": on_exact,
            "on_similar": on_similar,
            "country": country,
            "consent_terms": consent_terms,
        }
        values.update(changes)
        if values["kind"] not in ImportKind.values:
            values["kind"] = job.kind
        extra = _mapping_context(job, errors=errors, mapping_name=mapping_name, **values)
        return _render_job(request, job, extra, status=status)

    if kind not in ImportKind.values:
        return again({"kind": [_("Choose people, organizations or orders.")]})
    try:
        if action == "apply":
            name = request.POST.get("saved", "")
            try:
                saved = selectors.mapping_get(kind=kind, name=name)
            except NotFound:
                return again({"saved": [_("Choose one of the saved mappings.")]})
            applied = services.mapping_apply(saved, job.headers, kind)
            messages.info(
                request,
                _("Mapping “%(name)s” applied; check the columns, then check the file.")
                % {"name": saved.name},
            )
            return again({}, status=200, mapping=applied)
        if action == "save":
            saved = services.mapping_save(
                actor=request.user,
                name=mapping_name,
                kind=kind,
                headers=job.headers,
                mapping=mapping,
            )
            messages.success(request, _("Mapping “%(name)s” saved.") % {"name": saved.name})
            return again({}, status=200)
        services.import_configure(
            actor=request.user,
            job=job,
            kind=kind,
            mapping=mapping,
            on_exact=on_exact,
            on_similar=on_similar,
            country=country,
            consent_terms=consent_terms,
        )
    except ValidationError as exc:
        return again(_messages_of(exc))
    except PermissionDenied as exc:
        return again({"kind": [str(exc)]})
    try:
        services.import_check(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(_job_url(job))


@login_required
@require_GET
@not_found_as_404
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress bar alone, polled by htmx; once the job is no longer working, the
    whole page is reloaded to show what comes next."""
    job = _job(request, pk)
    response = render(
        request,
        "integrations/_import_progress.html",
        {
            "job": job,
            "job_url": _job_url(job),
            "in_progress": job.status in IN_PROGRESS,
            "stale": services.import_is_stale(job),
        },
    )
    if job.status not in IN_PROGRESS:
        response["HX-Refresh"] = "true"
    return response


def _job_write(
    request: AuthedRequest,
    job: ImportJob,
    write: Callable[..., object],
    *,
    success: str = "",
    then: str = "",
) -> HttpResponse:
    """The shell of a button on the job page: ``write(actor=…, job=…)`` (a service);
    a refusal is shown on the job page, success as ``success`` on ``then`` (the job
    page unless named)."""
    try:
        write(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_job_url(job))
    if success:
        messages.success(request, success)
    return redirect(then or _job_url(job))


@login_required
@require_POST
@not_found_as_404
def import_reconfigure(request: AuthedRequest, pk: int) -> HttpResponse:
    """From the dry run's result back to the mapping, with the current values."""
    job = _job(request, pk)
    configure = functools.partial(
        services.import_configure,
        kind=job.kind,
        mapping=list(job.mapping),
        on_exact=job.on_exact,
        on_similar=job.on_similar,
        country=job.country,
    )
    return _job_write(request, job, configure)


@login_required
@require_POST
@not_found_as_404
def import_start(request: AuthedRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    inline = job.rows_total <= INLINE_ROWS_RUN
    try:
        # A small file is imported in this request: no task is queued for it.
        services.import_start(actor=request.user, job=job, queue=not inline)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_job_url(job))
    job.refresh_from_db()
    if inline and job.status == ImportStatus.QUEUED:
        try:
            services.import_run(job=job)
        except Exception:  # import_run has recorded on the job why it failed
            messages.error(request, _("The import failed; see the reason below."))
            return redirect(_job_url(job))
        messages.success(request, _("Import finished."))
    else:
        messages.success(request, _("Import started; you can leave this page."))
    return redirect(_job_url(job))


@login_required
@require_http_methods(["GET", "POST"])
@not_found_as_404
def import_undo(request: AuthedRequest, pk: int) -> HttpResponse:
    """GET: the confirmation; POST: undo the whole import."""
    job = _job(request, pk)
    if request.method == "GET":
        if job.status != ImportStatus.DONE:
            return redirect(_job_url(job))
        return render(
            request, "integrations/import_undo.html", {"job": job, "job_url": _job_url(job)}
        )
    try:
        done = services.import_undo(actor=request.user, job=job)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied:
        messages.error(
            request,
            _("Undoing an import moves its records to the trash, which your role does not allow."),
        )
    else:
        messages.success(
            request,
            ngettext("Import undone: %(n)s record.", "Import undone: %(n)s records.", done)
            % {"n": done},
        )
    return redirect(_job_url(job))


@login_required
@require_POST
@not_found_as_404
def import_resume(request: AuthedRequest, pk: int) -> HttpResponse:
    """Go on with an import that stopped, at its checkpoint (in the worker)."""
    return _job_write(
        request,
        _job(request, pk),
        services.import_resume,
        success=_("The import goes on where it stopped."),
    )


@login_required
@require_POST
@not_found_as_404
def import_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    """Delete a job that is not running nor done, and its file."""
    job = _job(request, pk)
    return _job_write(
        request,
        job,
        services.import_discard,
        success=_("Import “%(file)s” discarded.") % {"file": job.filename},
        then=reverse("integrations:import-list"),
    )


# --- the row report ---------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def _report_rows(job: ImportJob, *, dry_run: bool) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow([_("Row"), _("Column"), _("Value"), _("Message"), _("Kind")])
    for issue in selectors.import_issues(job=job, dry_run=dry_run).iterator(chunk_size=2000):
        yield writer.writerow(
            [
                neutralize(v)
                for v in (issue.row, issue.column, issue.value, issue.message, issue.kind)
            ]
        )


@login_required
@require_GET
def import_report(request: AuthedRequest, pk: int) -> StreamingHttpResponse:
    try:
        job = _job(request, pk)
    except NotFound:
        raise Http404() from None
    run = request.GET.get("run") or ("check" if job.status == ImportStatus.CHECKED else "import")
    if run not in ("check", "import"):
        raise Http404()
    response = StreamingHttpResponse(
        _report_rows(job, dry_run=run == "check"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-{run}.csv"'
    return response
