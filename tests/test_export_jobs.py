"""List exports as background tasks: progress, the file for its owner only, expiry, failures
and time limits that leave no layout process behind, and the database backend's worker."""

import io
import os
import re
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from codes.exports import pdf as pdf_format
from codes.models import ExportJob, ExportRecord
from codes.services import export_job_run
from tests.test_exports import finished_export, verify_file

LIST_PDF = "/comparisons/export/?format=pdf"


@pytest.fixture
def auditor_client(client, auditor, sample):
    client.force_login(auditor)
    return client


def layout_children(pid: int) -> set[int]:
    """The live child processes of `pid` but multiprocessing's resource tracker (one per
    process that ever made a pool, living as long as it, by Python's design)."""
    children = set()
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if f"\nPPid:\t{pid}\n" in text and b"resource_tracker" not in cmdline:
            children.add(int(status.parent.name))
    return children


@pytest.fixture
def new_children():
    """The child processes of this test process started during the test and still alive: the
    ones there before (the Playwright driver a browser test in the same worker started) are
    not the export's."""
    before = layout_children(os.getpid())
    return lambda: layout_children(os.getpid()) - before


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_list_page_starts_the_export_and_shows_its_progress_then_the_link(auditor_client):
    response = auditor_client.get(
        "/comparisons/export/?format=csv", headers={"HX-Request": "true", "HX-Boosted": "true"}
    )
    assert response.status_code == 200
    assert response["HX-Push-Url"] == "false"  # the address stays the list's
    html = response.content.decode()
    job = ExportJob.objects.get()
    assert html.lstrip().startswith('<div class="export-progress"')
    assert "The CSV export of 2 comparisons is ready" in html
    assert f'href="/exports/{job.pk}/download/"' in html
    assert f"Download {job.record.filename}" in html
    assert "hx-trigger" not in html  # done: the polling stops


def test_the_list_page_has_the_region_the_progress_goes_to(auditor_client):
    html = auditor_client.get("/comparisons/").content.decode()
    assert 'hx-boost="true" hx-target="#export-status"' in html
    assert '<div id="export-status" role="status"></div>' in html


def test_a_queued_export_polls_and_reloads_itself_without_javascript(auditor_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    started = auditor_client.get(LIST_PDF)
    job = ExportJob.objects.get()
    assert started["Location"] == f"/exports/{job.pk}/"
    html = auditor_client.get(started["Location"]).content.decode()
    assert "Queued: the PDF export starts when the export worker takes it up." in html
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'hx-get="/exports/{job.pk}/" hx-trigger="every 1s" hx-swap="outerHTML"' in html
    early = auditor_client.get(f"/exports/{job.pk}/download/")
    assert early.status_code == 400
    assert early.content.decode() == (
        "This export has no file: its page says how far it is, or why not.\n"
    )

    ExportJob.objects.filter(pk=job.pk).update(
        status="running", started_at=timezone.now(), total=1000, done=300
    )
    fragment = auditor_client.get(f"/exports/{job.pk}/", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<h1>" not in html
    assert "Rendering the PDF: 300 of 1000 comparisons." in html
    assert '<progress max="1000" value="300" aria-label="Export progress">' in html
    assert fragment["Cache-Control"].startswith("max-age=0")


def test_a_job_whose_worker_was_killed_says_so_and_stops_polling(auditor_client, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    auditor_client.get(LIST_PDF)
    long_ago = timezone.now() - timedelta(seconds=settings.EXPORT_TIME_LIMIT_SECONDS + 301)
    ExportJob.objects.update(status="running", started_at=long_ago)
    html = auditor_client.get(f"/exports/{ExportJob.objects.get().pk}/").content.decode()
    assert "The export worker stopped before the file was made" in html
    assert "hx-trigger" not in html and "refresh" not in html


def test_only_the_user_who_asked_or_a_superuser_gets_the_file(
    auditor_client, client, django_user_model, auditor
):
    response = finished_export(auditor_client, "/comparisons/export/?format=xlsx")
    assert response.status_code == 200
    job = ExportJob.objects.get()
    assert response["X-Export-Id"] == str(job.record.export_id)
    assert response["Content-Disposition"] == f'attachment; filename="{job.record.filename}"'
    assert response["Cache-Control"] == "no-store"

    other = django_user_model.objects.create_user("other", password="x" * 20)
    other.groups.set(auditor.groups.all())
    client.force_login(other)
    for url in (f"/exports/{job.pk}/", f"/exports/{job.pk}/download/"):
        refused = client.get(url)
        assert refused.status_code == 404
        assert "There is no export of yours at this address" in refused.content.decode()

    root = django_user_model.objects.create_superuser("root", password="x" * 20)
    client.force_login(root)
    assert client.get(f"/exports/{job.pk}/download/").content == response.content


def test_the_downloaded_file_verifies_as_logged(auditor_client, tmp_path):
    response = finished_export(auditor_client, "/comparisons/export/?format=json")
    path = tmp_path / "export.json"
    path.write_bytes(response.content)
    status, output = verify_file(path)
    assert status == 0, output
    assert str(ExportRecord.objects.get().export_id) in output


def test_files_expire_after_a_day_and_the_log_keeps_the_record(auditor_client):
    finished_export(auditor_client, "/comparisons/export/?format=csv")
    job = ExportJob.objects.get()
    ExportJob.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert auditor_client.get(f"/exports/{job.pk}/download/").status_code == 404
    out = io.StringIO()
    call_command("expire_exports", stdout=out)
    assert out.getvalue() == "Deleted 1 expired export file.\n"
    assert not ExportJob.objects.exists()
    assert ExportRecord.objects.filter(export_id=job.record.export_id).exists()


def test_starting_an_export_deletes_expired_ones(auditor_client):
    finished_export(auditor_client, "/comparisons/export/?format=csv")
    ExportJob.objects.update(created_at=timezone.now() - timedelta(hours=25))
    finished_export(auditor_client, "/comparisons/export/?format=csv")
    assert ExportJob.objects.count() == 1


@pytest.mark.any_database  # processes, not SQL
def test_a_pdf_laid_out_by_workers_leaves_no_process(auditor_client, monkeypatch, new_children):
    monkeypatch.setattr(pdf_format, "PDF_PART_SIZE", 1)
    assert finished_export(auditor_client, LIST_PDF).status_code == 200
    assert new_children() == set()


@pytest.mark.any_database  # processes, not SQL
def test_an_export_failing_midway_leaves_no_process_and_says_so(
    auditor_client, monkeypatch, new_children
):
    # The second part fails while the first is being laid out by a worker process.
    monkeypatch.setattr(pdf_format, "PDF_PART_SIZE", 1)
    laid_out = pdf_format._pdf_comparison
    calls = []

    def failing(*args, **kwargs):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return laid_out(*args, **kwargs)

    monkeypatch.setattr(pdf_format, "_pdf_comparison", failing)
    page = auditor_client.get(auditor_client.get(LIST_PDF)["Location"]).content.decode()
    assert "The export failed (RuntimeError) and no file was made." in page
    assert 'role="alert"' in page and "hx-trigger" not in page
    assert ExportJob.objects.get().status == "failed"
    assert not ExportRecord.objects.exists()
    assert new_children() == set()


@pytest.mark.any_database  # processes, not SQL
def test_a_pdf_over_its_time_limit_is_stopped_with_its_workers(
    auditor_client, monkeypatch, settings, new_children
):
    monkeypatch.setattr(pdf_format, "PDF_PART_SIZE", 1)
    settings.EXPORT_TIME_LIMIT_SECONDS = 0
    page = auditor_client.get(auditor_client.get(LIST_PDF)["Location"]).content.decode()
    assert "The PDF took longer than 0 minutes to lay out and was stopped" in page
    assert "Filter the list to fewer notes, or export CSV or Excel" in page
    assert not ExportRecord.objects.exists()
    assert new_children() == set()


KILLED_PARENT = """
import sys
from codes.exports.layout import parts_to_pdf
page = "<p>" + "A line of a comparison note. " * 400 + "</p>"
parts_to_pdf([page] * 40, {}, laid_out=lambda n: print(n, flush=True))
"""


@pytest.mark.any_database  # processes, not SQL
def test_layout_workers_die_with_the_process_that_started_them():
    # A gunicorn timeout (SIGABRT) or an OOM kill gives the process no chance to clean up.
    # (Its resource tracker, left alone, warns on stderr of the semaphores it cleans up.)
    command = [sys.executable, "-c", KILLED_PARENT]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as parent:
        try:
            parent.stdout.readline()  # the workers are laying out parts
            workers = layout_children(parent.pid)
            assert workers
        finally:
            parent.send_signal(signal.SIGKILL)
    deadline = time.monotonic() + 15
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


@pytest.mark.django_db(transaction=True)
def test_the_database_backend_queues_the_export_and_db_worker_runs_it(
    client, auditor, sample, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client.force_login(auditor)
    started = client.get("/comparisons/export/?format=csv")
    job = ExportJob.objects.get()
    assert job.status == "queued"
    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    page = client.get(started["Location"]).content.decode()
    assert f'href="/exports/{job.pk}/download/"' in page
    download = client.get(f"/exports/{job.pk}/download/")
    assert download["X-Export-Id"] == str(job.record.export_id)


def test_the_task_can_be_called_directly(auditor, sample):
    job = ExportJob.objects.create(user=auditor, format="json", filters=[["code", "63709"]])
    export_job_run.call(str(job.pk))
    job.refresh_from_db()
    assert (job.status, job.total, job.done) == ("done", 1, 1)
    assert re.fullmatch(r"coderef-comparisons-\d{4}-\d{2}-\d{2}\.json", job.record.filename)
