import pytest


@pytest.fixture
def get(coder_client, sample):
    def _get(path):
        response = coder_client.get(path)
        return response, response.content.decode()

    return _get


def test_the_code_page_shows_texts_breadcrumb_neighbours_and_vs_links(get):
    response, html = get("/codes/cpt/63709/")
    assert response.status_code == 200
    assert "Repair of dural or cerebrospinal fluid leak or pseudomeningocele" in html
    assert "removes the lamina" in html  # lay description
    assert "<li>Spine and spinal cord</li>" in html  # breadcrumb
    assert 'rel="prev" href="/codes/cpt/63707/"' in html
    assert 'rel="next" href="/codes/cpt/63710/"' in html
    assert '<a href="/compare/?codes=63707,63709">vs 63707</a>' in html
    assert "American Medical Association" in html  # CPT notice in the footer


def test_icd_codes_open_in_any_spelling(get):
    response, html = get("/codes/icd10cm/g9600/")
    assert response.status_code == 200
    assert "Cerebrospinal fluid leak, unspecified" in html
    assert "National Center for Health Statistics" in html


def test_an_unknown_code_is_a_404_page(get):
    response, html = get("/codes/cpt/63708/")
    assert response.status_code == 404
    assert "Not found" in html
    response, _ = get("/codes/nosuchsystem/63709/")
    assert response.status_code == 404


def test_the_comparison_list_links_each_note(get):
    response, html = get("/comparisons/")
    assert response.status_code == 200
    assert '<a href="/compare/?codes=63704,63706">63704 vs 63706</a>' in html
    assert '<a href="/compare/?codes=63707,63709">63707 vs 63709</a>' in html


def test_an_unknown_code_gets_the_projects_404_page_also_under_debug(get, settings):
    settings.DEBUG = True
    response, html = get("/codes/cpt/99999/")
    assert response.status_code == 404
    assert "<h1>Not found</h1>" in html and "No code “99999” in the system “cpt”." in html
    assert "Page not found at" not in html  # not Django's technical 404 page
    response, html = get("/codes/nosuch/1/")
    assert response.status_code == 404 and "<h1>Not found</h1>" in html


def test_every_page_has_the_favicon(get):
    _, html = get("/codes/cpt/63709/")
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html


def test_a_paraphrased_descriptor_is_not_labelled_official(get, sample):
    from codes.models import Code

    _, html = get("/codes/cpt/63709/")
    assert "<h2>Descriptor in our own words (not the official text)</h2>" in html
    assert "Official descriptor" not in html
    _, html = get("/compare/?codes=63707,63709")
    assert "<h3>Descriptor in our own words (not the official text)</h3>" in html
    assert "Official descriptor" not in html
    code = Code.objects.get(code="E11.65")
    code.descriptor = "Type 2 diabetes mellitus with hyperglycemia"
    code.save()
    _, html = get("/codes/icd10cm/E11.65/")
    assert "<h2>Official descriptor</h2>" in html  # the field's default
