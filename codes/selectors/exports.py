"""The background list exports a user may see."""

from typing import Any
from uuid import UUID

from codes.models import ExportJob


def export_job_for(user: Any, job_id: UUID, *, with_file: bool = False) -> ExportJob | None:
    """The live (unexpired) export job `job_id` if `user` started it or is a superuser, with
    its file's bytes only when `with_file`; None otherwise."""
    jobs = ExportJob.objects.live().filter(pk=job_id).select_related("record")
    if not user.is_superuser:
        jobs = jobs.filter(user=user)
    if not with_file:
        jobs = jobs.defer("data")
    return jobs.first()
