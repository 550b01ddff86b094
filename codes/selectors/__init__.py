"""Reads that span models, one module per concern:

- `codes`: a code and its neighbours, the notes naming it, notices, comparison tokens;
- `comparisons`: a comparison of 2-4 codes, one per note, the filtered note list;
- `as_of`: codes and notes as they were at the end of a day, from history;
- `changes`: revisions, what they changed, edit conflicts, the /changes/ list;
- `exports`: the background list exports a user may see;
- `releases`: the releases per system, one release's changes and flagged notes, a code's
  timeline, and the official texts in force after any release.

URLs and escaped HTML built from these are in `codes.presenters`.
"""

from codes.selectors.changes import (
    EditConflict,
    change_get,
    changes_between,
    edit_conflict,
    note_rows_at,
    object_revisions,
    recent_changes,
    revision_get,
)
from codes.selectors.codes import (
    CodeLookupError,
    code_get,
    code_neighbours,
    code_systems,
    codes_for_tokens,
    compare_tokens,
    notes_naming,
    notices_for,
)
from codes.selectors.comparisons import (
    Comparison,
    ComparisonHead,
    comparison_for,
    comparison_head,
    comparison_notes_filtered,
    comparisons_for_notes,
)
from codes.selectors.exports import export_job_for
from codes.selectors.releases import (
    CodeInForce,
    TimelineEntry,
    code_in_force,
    code_timeline,
    codes_in_force,
    release_changes,
    release_counts,
    release_flagged_notes,
    release_get,
    releases_by_system,
    releases_in_force,
)

__all__ = [
    "CodeInForce",
    "CodeLookupError",
    "TimelineEntry",
    "Comparison",
    "ComparisonHead",
    "EditConflict",
    "change_get",
    "changes_between",
    "code_get",
    "code_systems",
    "code_in_force",
    "code_neighbours",
    "code_timeline",
    "codes_in_force",
    "codes_for_tokens",
    "compare_tokens",
    "comparison_for",
    "comparison_head",
    "comparison_notes_filtered",
    "comparisons_for_notes",
    "edit_conflict",
    "export_job_for",
    "note_rows_at",
    "notes_naming",
    "notices_for",
    "object_revisions",
    "recent_changes",
    "release_changes",
    "release_counts",
    "release_flagged_notes",
    "release_get",
    "releases_by_system",
    "releases_in_force",
    "revision_get",
]
