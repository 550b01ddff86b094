import hashlib
import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from codes.models import ExportRecord

pytestmark = pytest.mark.browser


def test_an_auditor_downloads_the_pdf_of_a_comparison(page, live_server, login, auditor, sample):
    login(auditor, "/compare/?codes=63707,63709")
    exports = page.get_by_role("navigation", name="Export this comparison")
    with page.expect_download() as download_info:
        exports.get_by_role("link", name="PDF (A4)").click()
    download = download_info.value
    assert re.fullmatch(
        r"coderef-63707-vs-63709-\d{4}-\d{2}-\d{2}-a4\.pdf", download.suggested_filename
    )
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    assert data.startswith(b"%PDF")
    text = " ".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(data)).pages)
    assert "63707" in text and "63709" in text
    assert "Laminectomy" in text
    record = ExportRecord.objects.get()
    assert (record.username, record.format, record.codes) == ("auditor", "pdf", "63707,63709")


def test_the_export_links_follow_the_codes_and_the_date_shown(
    page, live_server, login, auditor, sample
):
    login(auditor, "/compare/?codes=63707,63709")
    csv_link = page.get_by_role("link", name="CSV")
    page.get_by_label("Add a code").fill("63704")
    page.get_by_role("link", name="Add 63704").click()  # swapped in by htmx
    expect(csv_link).to_have_attribute(
        "href", "/compare/export/?codes=63707,63709,63704&format=csv"
    )
    yesterday = (timezone.now() - timedelta(days=1)).date().isoformat()
    page.get_by_label("Texts as of").fill(yesterday)
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("status")).to_contain_text(f"Texts as of {yesterday}")
    expect(csv_link).to_have_attribute(
        "href", f"/compare/export/?codes=63707,63709,63704&as_of={yesterday}&format=csv"
    )


def test_an_auditor_exports_the_list_as_pdf_in_the_background(
    page, live_server, login, auditor, sample, settings
):
    # The database backend, as in production; the worker runs when the test says so.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    login(auditor, "/comparisons/")
    exports = page.get_by_role("navigation", name="Export these comparison notes")
    exports.get_by_role("link", name="PDF (A4)").click()
    status = page.locator("#export-status")
    expect(status).to_contain_text("Queued: the PDF export starts when the export worker")
    expect(status.get_by_role("progressbar", name="Export progress")).to_be_visible()
    assert page.url == f"{live_server.url}/comparisons/"  # the list stays, the progress shows

    call_command("db_worker", batch=True, reload=False, startup_delay=False, verbosity=0)
    link = status.get_by_role("link", name=re.compile(r"^Download coderef-comparisons-"))
    expect(link).to_be_visible(timeout=15_000)
    expect(status).to_contain_text("The PDF export of 2 comparisons is ready")
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert re.fullmatch(
        r"coderef-comparisons-\d{4}-\d{2}-\d{2}-a4\.pdf", download.suggested_filename
    )
    with open(download.path(), "rb") as downloaded:
        data = downloaded.read()
    text = " ".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(data)).pages)
    assert "Comparison 2 of 2: 63707 vs 63709" in text
    record = ExportRecord.objects.get()
    assert (record.username, record.format, record.sha256) == (
        "auditor",
        "pdf",
        hashlib.sha256(data).hexdigest(),
    )
