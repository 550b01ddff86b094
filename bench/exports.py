"""Time the list export (/comparisons/export/) of 1,000 comparison notes in every format.

Runs on a throwaway SQLite database in a temporary directory (nothing is written elsewhere):

    .venv/bin/python bench/exports.py [--notes 1000] [--formats csv,xlsx,json,pdf]

Each export goes through the real URLs as a superuser: the start (filters, the background task,
run here within the request, as the worker would: selectors, rendering, the sha256 and the
ExportRecord) and the download, as an auditor's would.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMITS = {"pdf": 30.0, "csv": 5.0, "xlsx": 5.0, "json": 5.0}


def create_notes(count: int) -> None:
    """`count` comparison notes between pairs of new CPT-like codes, each with three
    difference rows, texts about as long as the sample's."""
    from codes.models import Code, CodeSystem, ComparisonNote, Differentiator

    cpt = CodeSystem.objects.get(slug="cpt")
    template_a, template_b = Code.objects.get(code="63707"), Code.objects.get(code="63709")
    # Five-digit codes the sample does not use (it has some from 10060 on).
    taken = set(Code.objects.filter(system=cpt).values_list("code", flat=True))
    free = (str(n) for n in range(10000, 100000) if str(n) not in taken)
    codes = []
    for number, code in zip(range(count * 2), free, strict=False):
        template = template_a if number % 2 == 0 else template_b
        codes.append(
            Code(
                system=cpt,
                code=code,
                title=f"{template.title} ({number})",
                descriptor=template.descriptor,
                lay_description=template.lay_description,
                section_path=template.section_path,
            )
        )
    codes = Code.objects.bulk_create(codes)
    sample = ComparisonNote.objects.get(code_a=template_a, code_b=template_b)
    notes = ComparisonNote.objects.bulk_create(
        ComparisonNote(
            code_a=codes[2 * i],
            code_b=codes[2 * i + 1],
            summary=sample.summary,
            body=sample.body,
            source=sample.source,
        )
        for i in range(count)
    )
    rows = list(sample.differentiators.all())
    Differentiator.objects.bulk_create(
        Differentiator(
            note=note,
            label=row.label,
            value_a=row.value_a,
            value_b=row.value_b,
            position=row.position,
        )
        for note in notes
        for row in rows
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=1000)
    parser.add_argument("--formats", default="csv,xlsx,json,pdf")
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="coderef-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir.name}/bench.sqlite3"
    os.environ["DJANGO_DEBUG"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "coderef.settings"
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from codes.models import ComparisonNote, ExportRecord

    call_command("migrate", verbosity=0)
    call_command("loaddata", "sample", verbosity=0)
    create_notes(args.notes)
    total = ComparisonNote.objects.count()
    user = get_user_model().objects.create_superuser("bench", password="unused-bench-password")
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(
        f"{total} comparison notes ({args.notes} made for the benchmark), SQLite, {cores} cores, "
        f"load average {os.getloadavg()[0]:.1f} before the run"
    )
    failed = False
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    for fmt in args.formats.split(","):
        with CaptureQueriesContext(connection) as queries, override_settings(TASKS=immediate):
            started = time.perf_counter()
            job = client.get(f"/comparisons/export/?format={fmt}")["Location"]
            response = client.get(f"{job}download/")
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"{fmt}: HTTP {response.status_code}: {response.content[:200]!r}")
        record = ExportRecord.objects.get(export_id=response["X-Export-Id"])
        verdict = "ok" if elapsed < LIMITS[fmt] else f"OVER the {LIMITS[fmt]:.0f} s limit"
        failed |= elapsed >= LIMITS[fmt]
        print(
            f"{fmt:5} {elapsed:6.2f} s  {len(response.content) / 1e6:6.2f} MB  "
            f"{record.row_count} rows  {len(queries)} queries  {verdict}"
        )
    workdir.cleanup()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
