"""The one write path for codes, comparison notes (with their difference rows) and synonyms,
and the exports; one module per entity, functions named `<entity>_<action>`.

Every write of a tracked row goes through these functions, whoever makes it (the admin, a
revert, an import, a command): they check the version, record the baseline of a row without
history, write the revision with its reason and user, and stamp `Code.texts_changed_at` when a
text coders read changes (which flags the notes naming the code). Models keep only the version
check in `save()`. An editor's save waits only briefly for a lock another writer holds (an
import): `lock_wait_timed_out` tells that refusal apart from a database that is gone.
"""

from codes.services.codes import code_save, codes_import, codes_mark_deleted
from codes.services.export_jobs import (
    export_job_file,
    export_job_run,
    export_job_start,
    export_jobs_expire,
)
from codes.services.exports import ExportedFile, comparisons_export, release_export
from codes.services.notes import note_rows_save, note_save, notes_mark_reviewed
from codes.services.revisions import revert_reason, revision_revert, revision_save
from codes.services.rows import lock_wait_timed_out, row_save, rows_record_baselines
from codes.services.synonyms import Entry, entry_key, synonyms_add_missing, synonyms_follow_list

__all__ = [
    "Entry",
    "ExportedFile",
    "code_save",
    "codes_import",
    "codes_mark_deleted",
    "comparisons_export",
    "lock_wait_timed_out",
    "release_export",
    "export_job_file",
    "export_job_run",
    "export_job_start",
    "export_jobs_expire",
    "entry_key",
    "note_rows_save",
    "note_save",
    "notes_mark_reviewed",
    "revert_reason",
    "revision_revert",
    "revision_save",
    "row_save",
    "rows_record_baselines",
    "synonyms_add_missing",
    "synonyms_follow_list",
]
