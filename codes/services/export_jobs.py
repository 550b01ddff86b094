"""List exports as background tasks (django-tasks): started by a request, run by
`manage.py db_worker`, reporting how many comparisons are rendered, the file kept in an
ExportJob for the user who asked until it expires."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from codes import exports, selectors
from codes.exports.layout import LayoutTimeout
from codes.models import ExportJob
from codes.services.exports import ExportedFile, comparisons_export


def export_job_start(
    *, user: Any, fmt: str, paper: str, filters: Mapping[str, str | None]
) -> ExportJob:
    """Queue the list export of the notes matching `filters` in format `fmt` for `user`;
    expired jobs of anyone are deleted first (so no scheduler is needed for that)."""
    export_jobs_expire()
    job = ExportJob.objects.create(
        user=user,
        format=fmt,
        paper=paper,
        filters=[[name, value] for name, value in filters.items()],
    )
    export_job_run.enqueue(str(job.pk))
    # A backend that runs tasks at once has changed the row by now; the file stays unread.
    job.refresh_from_db(fields=["status", "total", "done", "message", "finished_at", "record"])
    return job


def _update(job_id: Any, **fields: Any) -> None:
    # A plain UPDATE: the page polling the job reads it while the task runs.
    ExportJob.objects.filter(pk=job_id).update(**fields)


@task()
def export_job_run(job_id: str) -> None:
    """The task: select the notes, render and log the file (as `comparisons_export`), saving
    progress and then the file or a message for people on the job. An error is re-raised
    after it is saved, so the task backend records it too."""
    job = ExportJob.objects.select_related("user").defer("data").get(pk=job_id)
    _update(job.pk, status=ExportJob.Status.RUNNING, started_at=timezone.now())
    try:
        filters = dict(job.filters)
        comparisons = selectors.comparisons_for_notes(
            selectors.comparison_notes_filtered(**filters)
        )
        _update(job.pk, total=len(comparisons))
        exported = comparisons_export(
            comparisons=comparisons,
            fmt=job.format,
            user=job.user,
            paper=job.paper,
            filters=filters,
            progress=lambda done: _update(job.pk, done=done),
            time_limit=settings.EXPORT_TIME_LIMIT_SECONDS,
        )
    except BaseException as exc:
        _update(
            job.pk,
            status=ExportJob.Status.FAILED,
            finished_at=timezone.now(),
            message=failure_message(exc),
        )
        raise
    _update(
        job.pk,
        status=ExportJob.Status.DONE,
        done=len(comparisons),
        finished_at=timezone.now(),
        record=exported.record,
        data=exported.data,
    )


def failure_message(exc: BaseException) -> str:
    """What the user is told of a failed export."""
    if isinstance(exc, LayoutTimeout):
        minutes = settings.EXPORT_TIME_LIMIT_SECONDS / 60
        return (
            f"The PDF took longer than {minutes:g} minutes to lay out and was stopped; no file "
            "was made. Filter the list to fewer notes, or export CSV or Excel, which take "
            "seconds."
        )
    if isinstance(exc, SystemExit | KeyboardInterrupt):
        return "The export was stopped because the export worker shut down; start it again."
    return (
        f"The export failed ({type(exc).__name__}) and no file was made. Try again; if it "
        "fails again, tell an administrator (the export worker's log has the details)."
    )


def export_job_file(job: ExportJob) -> ExportedFile:
    """The finished file of `job` (status done, loaded with its data), as downloaded."""
    assert job.record is not None and job.data is not None
    return ExportedFile(
        job.record, bytes(job.data), job.record.filename, exports.FORMATS[job.format].content_type
    )


def export_jobs_expire() -> int:
    """Delete the jobs (and their files) older than EXPORT_FILE_HOURS; the export log keeps
    their ExportRecords. Returns how many were deleted."""
    deleted, _ = ExportJob.objects.expired().delete()
    return deleted
