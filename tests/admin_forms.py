"""POST data for the admin change forms, as a browser would send them."""

from codes.models import Code, ComparisonNote, Synonym


def code_form_data(code: Code, /, **changes) -> dict:
    data = {
        "system": code.system_id,
        "code": code.code,
        "title": code.title,
        "status": code.status,
        "opened_version": code.version,
        "descriptor": code.descriptor,
        "descriptor_kind": code.descriptor_kind,
        "lay_description": code.lay_description,
        "inclusion_terms": code.inclusion_terms,
        "section_path": code.section_path,
        "effective_date": code.effective_date.isoformat() if code.effective_date else "",
        "end_date": code.end_date.isoformat() if code.end_date else "",
        "change_reason": "",
    }
    data.update(changes)
    return data


def note_form_data(note: ComparisonNote, /, rows: list[dict] | None = None, **changes) -> dict:
    """The note's fields and its difference rows; `rows` replaces the stored rows' values
    (dicts with label/value_a/value_b/position, and `id` for a stored row)."""
    if rows is None:
        rows = [
            {
                "id": row.pk,
                "label": row.label,
                "value_a": row.value_a,
                "value_b": row.value_b,
                "position": row.position,
            }
            for row in note.differentiators.all()
        ]
    data = {
        "code_a": note.code_a_id,
        "code_b": note.code_b_id,
        "summary": note.summary,
        "body": note.body,
        "source": note.source,
        "opened_version": note.version,
        "change_reason": "",
        "differentiators-TOTAL_FORMS": len(rows),
        "differentiators-INITIAL_FORMS": sum(1 for row in rows if row.get("id")),
        "differentiators-MIN_NUM_FORMS": 0,
        "differentiators-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        for key in ("id", "label", "value_a", "value_b", "position", "DELETE"):
            if key in row:
                data[f"differentiators-{index}-{key}"] = row[key]
        data[f"differentiators-{index}-note"] = note.pk
    data.update(changes)
    return data


def synonym_form_data(synonym: Synonym, /, **changes) -> dict:
    data = {
        "term": synonym.term,
        "meaning": synonym.meaning,
        "opened_version": synonym.version,
        "change_reason": "",
    }
    data.update(changes)
    return data


def post_code_change(client, code: Code, /, **changes):
    """POST the code's admin change form with these fields changed."""
    return client.post(f"/admin/codes/code/{code.pk}/change/", code_form_data(code, **changes))
