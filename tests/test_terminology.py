"""Terminology entries (synonyms, lay terms, index entries): loaded once with their source, left
alone once an editor changed them, and used by search with the reason shown."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command

from codes.management.commands.load_synonyms import TERMINOLOGY_STARTER, read_synonyms
from codes.models import Code, CodeSystem, Synonym
from codes.search import search
from codes.search.concepts import build_concepts
from codes.search.intent import preferred_systems
from codes.search.morphology import stem, stem_prefix
from codes.search.query import parse
from codes.search.weights import WEIGHTS


def load_starter() -> str:
    out = io.StringIO()
    call_command("load_synonyms", str(TERMINOLOGY_STARTER), stdout=out)
    return out.getvalue()


@pytest.fixture
def lexicon(sample):
    """The sample codes with the starter lexicon of the three kinds."""
    load_starter()


def add_code(system: str, code: str, title: str) -> Code:
    return Code.objects.create(system=CodeSystem.objects.get(slug=system), code=code, title=title)


def codes_for(query: str) -> list[str]:
    return [hit.code.code for hit in search(query).hits]


def test_the_starter_lexicon_loads_once_with_its_kinds_and_source(db):
    entries = read_synonyms(TERMINOLOGY_STARTER)
    assert {entry.kind for entry in entries} == {"synonym", "translation", "index"}
    out = load_starter()
    added = Synonym.objects.count()
    assert f"{added} added from starter.csv" in out
    assert added >= 1500  # the few rows listed twice (in either order) go in once
    attack = Synonym.objects.get(term="heart attack", meaning="myocardial infarction")
    assert (attack.kind, attack.source, attack.source_label) == (
        "translation",
        "starter",
        "starter list",
    )
    assert Synonym.objects.get(term="attack, heart").kind == "index"
    assert attack.history.get().history_change_reason == "load_synonyms starter.csv"
    assert f"0 added from starter.csv, {len(entries)} already there" in load_starter()
    assert Synonym.objects.count() == added


def test_an_imported_file_names_itself_and_its_release(db, tmp_path):
    path = tmp_path / "gems.csv"
    path.write_text('kind,term,target,note\nindex,"colitis, left sided",K51.50,\n')
    call_command("load_synonyms", str(path), release="FY2026", stdout=io.StringIO())
    entry = Synonym.objects.get()
    assert (entry.source, entry.source_file, entry.release) == ("import", "gems.csv", "FY2026")
    assert entry.source_label == "gems.csv FY2026"


def test_an_entry_an_editor_changed_or_switched_off_stays_so_on_reimport(lexicon):
    attack = Synonym.objects.get(term="heart attack", meaning="myocardial infarction")
    attack.meaning = "acute myocardial infarction"
    attack.save()
    hives = Synonym.objects.get(term="hives", kind="translation")
    hives.enabled = False
    hives.save()
    assert "0 added from starter.csv" in load_starter()
    assert not Synonym.objects.filter(term="heart attack", meaning="myocardial infarction").exists()
    assert not Synonym.objects.get(pk=hives.pk).enabled


def test_a_switched_off_entry_no_longer_leads_search(lexicon):
    assert codes_for("high blood sugar")[0] == "E11.65"
    Synonym.objects.filter(term="high blood sugar").update(enabled=False)
    assert "E11.65" not in codes_for("high blood sugar")


def test_a_lay_phrase_finds_the_classification_words_and_says_why(lexicon):
    hit = search("high blood sugar").hits[0]
    assert hit.code.code == "E11.65"
    assert hit.why == "high blood sugar -> hyperglycemia (lay term, starter list)"


def test_the_api_says_why_each_hit_matched(lexicon, coder_client):
    results = coder_client.get("/api/search", {"q": "high blood sugar"}).json()["results"]
    assert results[0]["code"] == "E11.65"
    assert results[0]["matched_via"] == "high blood sugar -> hyperglycemia (lay term, starter list)"
    results = coder_client.get("/api/search", {"q": "E11.65"}).json()["results"]
    assert results[0]["matched_via"] == ""


def test_an_index_entry_puts_its_family_first_through_a_lay_word(lexicon):
    add_code("icd10cm", "S72.009A", "Fracture of unspecified part of neck of unspecified femur")
    for query in ("hip fracture", "broken hip", "fractures of the hip"):
        hit = search(query).hits[0]
        assert hit.code.code in {"S72.009A", "S72.001A"}, query
        # `fracture, hip` or, through `broken hip` -> `fracture of neck of femur`, `fracture,
        # femur, neck`: the index sends both to S72.0.
        assert hit.why.split("; ")[0].endswith("-> S72.0 (index entry, starter list)"), query
        assert 0.85 <= hit.score < 0.9  # below an exact code, above any title's words


def test_an_index_entry_for_part_of_the_query_does_not_outrank_the_words(lexicon):
    add_code(
        "icd10cm",
        "M80.051A",
        "Age-related osteoporosis with current pathological fracture, hip",
    )
    # `fracture, hip` covers two words of three: the codes holding all three come first.
    hits = search("hip fracture osteoporosis").hits
    assert hits[0].code.code == "M80.051A"
    assert all(not hit.why.startswith("fracture, hip") for hit in hits)


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("diabetic", "Type 2 diabetes mellitus without complications"),
        ("infected urinary tract", "Urinary tract infection, site not specified"),
    ],
)
def test_a_word_finds_the_other_words_of_its_stem(lexicon, query, title):
    assert title in [hit.code.title for hit in search(query).hits]


def test_stems_are_snowball_english():
    assert stem("hypertension") == stem("hypertensive")
    assert stem("infected") == stem("infection")
    assert stem_prefix("durotomy") == "durotom"  # Snowball writes durotomi
    # PCS's `Via Natural or Artificial Opening` is another approach than Open.
    assert stem("opening") != stem("open")


def test_an_endoscopic_biopsy_is_not_found_as_an_open_one(lexicon):
    add_code(
        "icd10pcs",
        "0DB68ZX",
        "Excision of Stomach, Via Natural or Artificial Opening Endoscopic, Diagnostic",
    )
    add_code("icd10pcs", "0DB60ZX", "Excision of Stomach, Open Approach, Diagnostic")
    found = codes_for("EGD with biopsy")
    assert found[0] == "0DB68ZX"
    assert "0DB60ZX" not in found[:1]


def test_a_compound_is_found_written_in_one_word_or_two(lexicon):
    add_code("icd10cm", "K21.9", "Gastro-esophageal reflux disease without esophagitis")
    add_code(
        "icd10cm", "K21.00", "Gastroesophageal reflux disease with esophagitis, without bleeding"
    )
    assert set(codes_for("gastroesophageal reflux")[:2]) == {"K21.9", "K21.00"}
    assert set(codes_for("gastro esophageal reflux")[:2]) == {"K21.9", "K21.00"}


def test_a_typo_is_corrected_to_a_word_that_finds_something_beside_the_others(lexicon):
    add_code("icd10cm", "F03.90", "Unspecified dementia, unspecified severity")
    add_code("icd10cm", "R93.89", "Abnormal findings of other body structures of unusual dimension")
    add_code("icd10cm", "I48.91", "Unspecified atrial fibrillation")
    add_code("icd10cm", "I74.9", "Embolism and thrombosis of unspecified artery (arterial)")
    result = search("dimentia")
    assert result.corrected_query == "dementia"
    assert result.hits[0].code.code == "F03.90"
    result = search("artrial fibrilation ")
    # `fibrilation` shares its stem with `fibrillation`: only `artrial` needs correcting, and
    # to `atrial`, which finds something beside it (`arterial` is as near but does not).
    assert result.corrected_query == "atrial fibrilation"
    assert result.hits[0].code.code == "I48.91"


def add_codes(*codes: tuple[str, str, str]) -> None:
    for system, code, title in codes:
        add_code(system, code, title)


def corrected_first(query: str) -> tuple[str | None, str]:
    """The correction shown for the query and the code found first."""
    result = search(query)
    return result.corrected_query, result.hits[0].code.code


def test_a_word_found_only_through_another_word_of_its_stem_is_corrected_when_that_finds_more(
    lexicon,
):
    # `migrane` is no index word; its stem's `migrans` is: the correction finds more.
    add_codes(
        ("icd10cm", "I82.1", "Thrombophlebitis migrans"),
        (
            "icd10cm",
            "G43.909",
            "Migraine, unspecified, not intractable, without status migrainosus",
        ),
        (
            "icd10cm",
            "G43.009",
            "Migraine without aura, not intractable, without status migrainosus",
        ),
    )
    assert corrected_first("migrane") == ("migraine", "G43.909")
    # A word of the index is never corrected away, though a near word finds more.
    assert search("migrans").corrected_query is None


def test_a_correction_prefers_the_coders_words_and_finds_a_dropped_second_letter(lexicon):
    add_codes(
        ("icd10cm", "R56.9", "Unspecified convulsions"),
        ("hcpcs", "G9329", "Dicom format image data available via a secure, media free exchange"),
        ("icd10cm", "M54.30", "Sciatica, unspecified side"),
        ("icd10cm", "J62.8", "Pneumoconiosis due to other dust containing silica"),
    )
    # `secure` and `seizure` are one edit away; `seizure` is a word of the terminology.
    assert corrected_first("sezure") == ("seizure", "R56.9")
    assert corrected_first("siatica") == ("sciatica", "M54.30")
    # The index's own words are read so too, not only the terminology's.
    assert corrected_first("peumoconiosis") == ("pneumoconiosis", "J62.8")


def test_a_correction_finds_a_first_letter_written_as_it_sounds(lexicon):
    add_codes(
        ("icd10cm", "J93.9", "Pneumothorax, unspecified"),
        ("icd10cm", "L40.9", "Psoriasis, unspecified"),
        ("icd10cm", "I80.9", "Phlebitis and thrombophlebitis of unspecified site"),
        ("icd10cm", "M40.209", "Unspecified kyphosis, site unspecified"),
    )
    assert corrected_first("neumothorax") == ("pneumothorax", "J93.9")  # a silent letter
    assert corrected_first("soriasis") == ("psoriasis", "L40.9")
    assert corrected_first("flebitis") == ("phlebitis", "I80.9")  # ph written f
    assert corrected_first("cyphosis") == ("kyphosis", "M40.209")


def test_status_post_a_procedure_is_the_presence_of_its_graft_not_the_procedure(lexicon):
    Code.objects.create(
        system=CodeSystem.objects.get(slug="icd10cm"),
        code="Z95.1",
        title="Presence of aortocoronary bypass graft",
        inclusion_terms="Presence of coronary artery bypass graft",
    )
    title = "Bypass Coronary Artery, One Artery from Left Internal Mammary, Open Approach"
    add_code("icd10pcs", "02100Z9", title)
    # `s/p` is not explained by the index entry `bypass, coronary artery` (-> 021).
    assert [codes_for(query)[0] for query in ("s/p CABG", "CABG")] == ["Z95.1", "02100Z9"]


def test_shorthand_that_looks_like_a_code_prefix_is_read_as_shorthand_first(lexicon):
    assert Code.objects.filter(code="E11.9").exists()  # in the sample
    add_code("icd10cm", "E11", "Type 2 diabetes mellitus")
    add_code("icd10pcs", "DM20DZZ", "Stereotactic Other Photon Radiosurgery of Left Breast")
    found = codes_for("DM2")
    assert found[0] == "E11.9"
    assert "DM20DZZ" in found  # the codes the prefix starts still follow
    assert codes_for("E11")[0] == "E11"  # a code typed is that code first


def test_an_abbreviation_is_not_explained_by_an_index_entry_holding_part_of_it(lexicon):
    Code.objects.filter(code__in=["I21.4", "I21.9"]).delete()
    add_code("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    add_code("icd10cm", "I21.4", "Non-ST elevation (NSTEMI) myocardial infarction")
    # `infarction, myocardial` (-> I21.9) is broader than non-ST elevation myocardial infarction.
    assert codes_for("NSTEMI")[0] == "I21.4"
    assert codes_for("myocardial infarction")[0] == "I21.9"


def test_an_editor_switches_an_entry_off_in_the_admin_with_a_revision(
    editor_client, editor, lexicon
):
    hives = Synonym.objects.get(term="hives", kind="translation")
    response = editor_client.post(
        "/admin/codes/synonym/",
        {"action": "switch_off", "_selected_action": [hives.pk]},
        follow=True,
    )
    assert "Switched off: 1 entries." in response.content.decode()
    hives.refresh_from_db()
    assert not hives.enabled
    latest = hives.history.first()
    assert (latest.history_user, latest.history_change_reason) == (editor, "Switched off")
    page = editor_client.get(f"/admin/codes/synonym/{hives.pk}/change/").content.decode()
    assert "starter list" in page and "lay term" in page


def test_a_partial_match_holding_a_rare_word_ranks_above_one_holding_a_common_word(lexicon):
    for n in range(30):
        add_code("icd10cm", f"Z99.{n:02d}", "Left ear")
    add_code("icd10cm", "S83.2", "Tear of medial meniscus, current injury of knee")
    # Neither holds both words: the one with the rare word comes first, not the shortest title.
    assert codes_for("meniscus left")[0] == "S83.2"


@pytest.mark.parametrize(
    ("query", "systems"),
    [
        ("laparoscopic cholecystectomy", {"cpt", "hcpcs", "icd10pcs"}),
        ("repair of dura", {"cpt", "hcpcs", "icd10pcs"}),
        ("acute appendicitis", {"icd10cm"}),
        ("hip fracture", {"icd10cm"}),
        ("hip", set()),
    ],
)
def test_the_wording_says_which_systems_the_coder_means(db, query, systems):
    assert preferred_systems(build_concepts(parse(query).terms, [])) == systems


def test_the_migration_makes_loaded_synonyms_imported_entries_and_keeps_editors_own(db):
    migration = importlib.import_module("codes.migrations.0018_terminology")
    call_command("load_synonyms", stdout=io.StringIO())  # as load_synonyms wrote them before
    own = Synonym.objects.create(term="SNF stay", meaning="skilled nursing facility")
    own.history.update(history_change_reason="my own")
    Synonym.objects.update(source="editor", imported_key="")  # the fields' defaults
    copd = Synonym.objects.get(term="COPD")
    copd.meaning = "chronic obstructive lung disease"  # an editor's later change
    copd.save()
    migration.mark_loaded_synonyms(django_apps, None)
    copd.refresh_from_db()
    assert (copd.source, copd.source_file) == ("import", "synonyms.csv")
    # Its history kept (with the real models, not a migration's, the save records one more).
    reasons = list(
        copd.history.order_by("history_id").values_list("history_change_reason", flat=True)
    )
    assert reasons[0] == "load_synonyms synonyms.csv" and len(reasons) >= 2
    assert Synonym.objects.get(pk=own.pk).source == "editor"
    load_starter()
    assert not Synonym.objects.filter(
        term="COPD", meaning="chronic obstructive pulmonary disease"
    ).exists()  # the list's own wording does not come back beside the editor's


def test_a_phrase_that_is_an_entry_is_also_found_word_by_word(lexicon):
    add_code("icd10pcs", "0FT44ZZ", "Resection of Gallbladder, Percutaneous Endoscopic Approach")
    add_code("icd10pcs", "0FT40ZZ", "Resection of Gallbladder, Open Approach")
    # `laparoscopic cholecystectomy` is one side of `lap chole`; its words translate one by one.
    hit = search("laparoscopic cholecystectomy").hits[0]
    assert hit.code.code == "0FT44ZZ"
    assert "laparoscopic -> percutaneous endoscopic" in hit.why


def test_the_entries_kept_per_word_start_stay_within_their_bound(lexicon, monkeypatch):
    from codes.search import concepts

    fresh = {start: concepts._read_start(start, None) for start in ("fractur", "heart", "flu")}
    assert all(fresh.values())
    bound = max(len(read) for read in fresh.values()) + 1
    monkeypatch.setattr(concepts, "MEMO_ENTRIES", bound)
    memo = concepts._StartMemo()
    for _ in range(2):
        for start, read in fresh.items():
            assert memo.entries(start, None) == read  # what a fresh read gives, kept or not
            assert memo.held <= bound
    assert len(memo) < len(fresh)  # it started afresh rather than grow past its bound


def test_an_index_entry_holds_only_as_the_query_says_its_words(lexicon):
    assert Code.objects.filter(code="J45.909").exists()  # in the sample
    add_code("icd10cm", "J45.901", "Unspecified asthma with (acute) exacerbation")
    # `asthma, with exacerbation` -> J45.901 is no answer to an exacerbation the coder ruled out.
    assert codes_for("asthma without exacerbation")[0] == "J45.909"
    assert "asthma, with exacerbation" not in search("asthma without exacerbation").hits[0].why
    with_it = search("asthma with exacerbation").hits[0]
    assert (with_it.code.code, with_it.matched_via[0]) == (
        "J45.901",
        "asthma, with exacerbation -> J45.901 (index entry, starter list)",
    )


def test_of_two_codes_saying_nos_the_plainer_nos_term_comes_first(lexicon):
    system = CodeSystem.objects.get(slug="icd10cm")
    for code, side in (("K40.20", "Bilateral"), ("K40.90", "Unilateral")):
        terms = f"{side} inguinal hernia NOS"
        if side == "Unilateral":
            terms = "Inguinal hernia NOS\n" + terms
        Code.objects.create(
            system=system,
            code=code,
            title=f"{side} inguinal hernia, without obstruction or gangrene, "
            "not specified as recurrent",
            inclusion_terms=terms,
        )
    # `Inguinal hernia NOS` is where the index sends the plain term: the unilateral code.
    assert codes_for("inguinal hernia without obstruction or gangrene")[:2] == ["K40.90", "K40.20"]


def _index_entry(term: str, target: str) -> None:
    Synonym.objects.create(
        term=term, meaning=target, kind="index", source="import", source_file="icd10pcs.db"
    )


def test_an_index_entry_sharing_one_word_of_a_long_translation_does_not_cover_it(lexicon):
    add_code(
        "icd10pcs",
        "4A023N7",
        "Measurement of Cardiac Sampling and Pressure, Left Heart, Percutaneous Approach",
    )
    add_code("icd10pcs", "XXE5XN6", "Measurement of Infection, Whole Blood Nucleic Acid")
    # `Measurement` says one word of what `left heart catheterization` translates to.
    _index_entry("Measurement", "XXE5XN6")
    hits = search("left heart catheterization").hits
    assert hits[0].code.code == "4A023N7"
    assert "XXE5XN6" not in [hit.code.code for hit in hits]


def test_a_phrase_no_code_holds_whole_is_read_word_by_word(lexicon):
    add_code("icd10pcs", "0UT94ZZ", "Resection of Uterus, Percutaneous Endoscopic Approach")
    add_code("icd10pcs", "0UT90ZZ", "Resection of Uterus, Open Approach")
    _index_entry("Hysterectomy, Total", "0UT9")
    # `total laparoscopic hysterectomy` is a phrase of the lexicon (TLH); no title holds `total`.
    hit = search("total laparoscopic hysterectomy").hits[0]
    assert hit.code.code == "0UT94ZZ"
    assert "laparoscopic -> percutaneous endoscopic" in hit.why


def test_of_pcs_codes_that_tie_the_one_without_a_qualifier_comes_first(lexicon):
    for code, title in (
        (
            "0270346",
            "Dilation of Coronary Artery, One Artery, Bifurcation, with Drug-eluting "
            "Intraluminal Device, Percutaneous Approach",
        ),
        (
            "027034Z",
            "Dilation of Coronary Artery, One Artery with Drug-eluting Intraluminal "
            "Device, Percutaneous Approach",
        ),
        (
            "027004Z",
            "Dilation of Coronary Artery, One Artery with Drug-eluting Intraluminal "
            "Device, Open Approach",
        ),
    ):
        add_code("icd10pcs", code, title)
    # PCI is percutaneous; a bifurcation is something more than a stent placed.
    assert codes_for("PCI with drug-eluting stent one artery")[:2] == ["027034Z", "0270346"]


def test_a_total_joint_replacement_is_a_prosthesis(lexicon):
    for code, device in (("0SRC0EZ", "Articulating Spacer"), ("0SRC0JZ", "Synthetic Substitute")):
        add_code("icd10pcs", code, f"Replacement of Right Knee Joint with {device}, Open Approach")
    for query in ("total knee replacement right", "TKA right", "total knee arthroplasty right"):
        assert codes_for(query)[0] == "0SRC0JZ", query


def test_a_plural_typed_finds_the_entry_written_in_the_singular(lexicon):
    add_codes(
        ("icd10cm", "N20.0", "Calculus of kidney"),
        ("icd10cm", "I26.99", "Other pulmonary embolism without acute cor pulmonale"),
        ("icd10cm", "B20", "Human immunodeficiency virus [HIV] disease"),
        ("hcpcs", "V5298", "Hearing aid, not otherwise classified"),
    )
    for query in ("kidney stone", "kidney stones"):
        hit = search(query).hits[0]
        assert hit.code.code == "N20.0"
        assert "kidney stone -> calculus of kidney" in hit.why
    assert codes_for("blood clots in lungs")[0] == "I26.99"
    assert codes_for("PEs")[0] == "I26.99"
    # One word typed in the singular is not an entry's plural: a hearing aid is not AIDS.
    assert codes_for("aid") == ["V5298"]
    assert codes_for("AIDS")[0] == "B20"


def test_an_entry_is_found_with_its_words_typed_in_another_order(lexicon):
    add_codes(
        ("icd10pcs", "0YQ50ZZ", "Repair Right Inguinal Region, Open Approach"),
        ("icd10cm", "K40.90", "Unilateral inguinal hernia, without obstruction or gangrene"),
        ("icd10pcs", "0Y6J0Z2", "Detachment at Left Lower Leg, Mid, Open Approach"),
        ("icd10cm", "Z89.512", "Acquired absence of left leg below knee"),
        ("icd10cm", "R31.9", "Hematuria, unspecified"),
    )
    # The index's order, procedure first: the entries `inguinal hernia repair` and `below knee
    # amputation` all the same.
    for query in ("hernia repair inguinal", "inguinal hernia repair"):
        hit = search(query).hits[0]
        assert hit.code.code == "0YQ50ZZ", query
        assert "inguinal hernia repair -> repair inguinal region" in hit.why
    assert codes_for("amputation below knee left")[0] == "0Y6J0Z2"
    # A joining word keeps the order: urine in blood is not blood in urine.
    assert codes_for("blood in urine")[0] == "R31.9"
    assert "R31.9" not in codes_for("urine in blood")


def test_diabetes_of_no_type_said_is_type_2_and_its_complication_leads(lexicon):
    with_retinopathy = "diabetes mellitus with unspecified diabetic retinopathy"
    add_codes(
        ("icd10cm", "E10.319", f"Type 1 {with_retinopathy} without macular edema"),
        ("icd10cm", "E11.319", f"Type 2 {with_retinopathy} without macular edema"),
        ("icd10cm", "E10.21", "Type 1 diabetes mellitus with diabetic nephropathy"),
        ("icd10cm", "E11.21", "Type 2 diabetes mellitus with diabetic nephropathy"),
    )
    # OCG I.C.4.a.2: no type documented is type 2. The entry `diabetes mellitus, type 2` (E11.9)
    # says nothing of the retinopathy the lay term still says, so it does not lead.
    assert codes_for("diabetic retinopathy")[:2] == ["E11.319", "E10.319"]
    assert codes_for("diabetic nephropathy")[:2] == ["E11.21", "E10.21"]
    assert codes_for("type 1 diabetic nephropathy")[0] == "E10.21"


def test_a_lone_small_letter_typed_last_names_the_type(lexicon):
    add_codes(
        ("icd10cm", "B19.20", "Unspecified viral hepatitis C without hepatic coma"),
        ("icd10cm", "B19.10", "Unspecified viral hepatitis B without hepatic coma"),
        ("icd10cm", "B19.9", "Unspecified viral hepatitis without hepatic coma"),
    )
    for query in ("hepatitis c", "hep c", "hepatitis C"):
        assert codes_for(query)[0] == "B19.20", query
    assert codes_for("hepatitis b")[0] == "B19.10"
    # On the way to `csf leak` (the sample's G96.0- codes), the CSF codes still come first.
    assert codes_for("csf l")[0].startswith("G96.0")


def test_a_procedure_is_not_explained_by_an_index_entry_of_its_diagnosis(lexicon):
    add_codes(
        ("icd10cm", "I48.91", "Unspecified atrial fibrillation"),
        ("icd10pcs", "02583ZZ", "Destruction of Conduction Mechanism, Percutaneous Approach"),
    )
    # `fibrillation, atrial` says nothing of the Destruction the ablation is.
    assert codes_for("afib ablation")[0] == "02583ZZ"
    assert codes_for("afib")[0] == "I48.91"


def test_history_in_shorthand_is_the_patients_own_unless_family_is_said(lexicon):
    add_codes(
        ("icd10cm", "Z86.718", "Personal history of other venous thrombosis and embolism"),
        ("icd10cm", "I82.409", "Acute embolism and thrombosis of unspecified deep veins of leg"),
        ("icd10cm", "Z85.3", "Personal history of malignant neoplasm of breast"),
        ("icd10cm", "Z80.3", "Family history of malignant neoplasm of breast"),
    )
    for query in ("hx dvt", "hx of dvt", "h/o dvt", "history of dvt"):
        assert codes_for(query)[0] == "Z86.718", query
    assert codes_for("hx breast cancer")[0] == "Z85.3"
    assert codes_for("family hx breast cancer")[0] == "Z80.3"


def test_a_subsequent_encounter_is_for_routine_healing_unless_the_healing_is_said(lexicon):
    neck = "Fracture of unspecified part of neck of right femur, subsequent encounter for closed"
    add_codes(
        ("icd10cm", "S72.001D", f"{neck} fracture with routine healing"),
        ("icd10cm", "S72.001K", f"{neck} fracture with nonunion"),
        ("icd10cm", "S72.001P", f"{neck} fracture with malunion"),
    )
    assert codes_for("right hip fracture subsequent")[0] == "S72.001D"
    assert codes_for("right hip fracture subsequent nonunion")[0] == "S72.001K"


def test_a_phrase_with_a_translation_of_its_own_is_not_read_word_by_word(lexicon):
    add_codes(
        ("icd10pcs", "B211YZZ", "Fluoroscopy of Multiple Coronary Arteries using Other Contrast"),
        (
            "icd10pcs",
            "B233ZZZ",
            "Magnetic Resonance Imaging (MRI) of Multiple Coronary Artery Grafts",
        ),
    )
    # The PCS Index sends `angiography` to every imaging type; `coronary angiography` is the
    # coronary arteries' fluoroscopy, not an MRI of whatever is coronary.
    Synonym.objects.create(
        term="angiography",
        meaning="magnetic resonance imaging mri artery",
        kind="translation",
        source="import",
        source_file="icd10pcs.db",
    )
    assert codes_for("coronary angiography")[0] == "B211YZZ"


def test_a_scope_beside_a_procedure_with_its_own_approach_is_not_read(lexicon):
    stomach = "Insertion of Feeding Device into Stomach"
    add_codes(
        ("icd10pcs", "0DH63UZ", f"{stomach}, Percutaneous Approach"),
        ("icd10pcs", "0DH68UZ", f"{stomach}, Via Natural or Artificial Opening Endoscopic"),
        (
            "icd10pcs",
            "0DJ08ZZ",
            "Inspection of Upper Intestinal Tract, Via Natural or Artificial Opening Endoscopic",
        ),
    )
    _index_entry("Feeding Device, Insertion of device in, Stomach", "0DH6")  # the PCS Index's
    # The PEG goes in through the skin; the EGD only guides it (PCS B3.11a).
    found = codes_for("EGD with PEG placement")
    assert found[0] == "0DH63UZ"
    assert "0DJ08ZZ" not in found  # the scope's look is not coded apart
    assert codes_for("EGD")[0] == "0DJ08ZZ"


def test_uncomplicated_is_the_code_a_use_takes_when_nothing_more_is_said(lexicon):
    add_codes(
        ("icd10cm", "F12.9", "Cannabis use, unspecified"),
        ("icd10cm", "F12.90", "Cannabis use, unspecified, uncomplicated"),
        ("icd10cm", "F12.929", "Cannabis use, unspecified with intoxication, unspecified"),
    )
    for query in ("cannabis use", "marijuana use"):
        assert codes_for(query)[0] == "F12.90", query
    assert codes_for("cannabis use with intoxication")[0] == "F12.929"


def test_shorthand_for_a_negation_negates_what_is_typed_after_it(lexicon):
    add_code(
        "icd10cm", "J45.901", "Unspecified asthma with (acute) exacerbation"
    )  # J45.909: sample
    # `w/o exacerbation` is `without exacerbation`: the index entry `asthma, with exacerbation`
    # does not hold it.
    for query in ("asthma w/o exacerbation", "asthma without exacerbation"):
        found = codes_for(query)
        assert found[0] == "J45.909", query
        assert "J45.901" not in found[:1]
    assert codes_for("asthma w exacerbation")[0] == "J45.901"


def test_a_british_spelling_finds_the_words_the_code_sets_spell_the_american_way(lexicon):
    add_codes(
        ("icd10cm", "K20.9", "Esophagitis, unspecified"),
        ("icd10cm", "R60.9", "Edema, unspecified"),
        ("icd10cm", "C92.00", "Acute myeloblastic leukemia, not having achieved remission"),
        ("hcpcs", "Q4015", "Cast supplies, gauntlet cast, pediatric, plaster"),
        (
            "icd10cm",
            "B96.3",
            "Haemophilus influenzae as the cause of diseases classified elsewhere",
        ),
    )
    for british, code in [
        ("oesophagitis", "K20.9"),
        ("oedema", "R60.9"),
        ("acute myeloblastic leukaemia", "C92.00"),
        ("paediatric cast", "Q4015"),
        ("paed", "Q4015"),  # still being typed
    ]:
        result = search(british)
        assert (result.hits[0].code.code, result.corrected_query) == (code, None), british
    # A word the index has as typed is left as it is, still being typed too.
    assert codes_for("haemophilus") == ["B96.3"]
    assert codes_for("haem") == ["B96.3"]


def test_the_side_an_index_entry_does_not_say_is_read_in_its_familys_codes(lexicon):
    closed = "initial encounter for closed fracture"
    add_codes(
        ("icd10cm", "S72.002A", f"Fracture of unspecified part of neck of left femur, {closed}"),
        (
            "icd10cm",
            "M97.02XA",
            "Periprosthetic fracture around prosthetic left hip joint, initial",
        ),
        (
            "icd10cm",
            "J96.00",
            "Acute respiratory failure, unspecified whether with hypoxia or hypercapnia",
        ),
        ("icd10cm", "J96.01", "Acute respiratory failure with hypoxia"),
    )
    for query, code in [
        ("left hip fracture", "S72.002A"),
        ("lt hip fx", "S72.002A"),
        ("fractured right hip", "S72.001A"),
    ]:
        hit = search(query).hits[0]
        assert hit.code.code == code, query
        assert hit.why.startswith("fracture, hip -> S72.0 (index entry, starter list); ")
        assert "in its codes' titles" in hit.why
    # Only a side or an encounter: other words the entry lacks are the titles' to say.
    assert codes_for("acute respiratory failure with hypoxia")[0] == "J96.01"


def test_a_scope_beside_another_procedure_gives_its_approach_only(lexicon):
    endoscopic = "Via Natural or Artificial Opening Endoscopic"
    add_codes(
        ("icd10pcs", "0DJ08ZZ", f"Inspection of Upper Intestinal Tract, {endoscopic}"),
        ("icd10pcs", "0D750ZZ", "Dilation of Esophagus, Open Approach"),
        ("icd10pcs", "0D758DZ", f"Dilation of Esophagus with Intraluminal Device, {endoscopic}"),
        ("icd10pcs", "0D758ZZ", f"Dilation of Esophagus, {endoscopic}"),
    )
    assert codes_for("EGD")[0] == "0DJ08ZZ"
    # The inspection is part of the dilation (PCS B3.11a); the coder's `with` joins the two
    # procedures, it is not the device's `with`.
    hit = search("EGD with esophageal dilation").hits[0]
    assert hit.code.code == "0D758ZZ"
    assert "its approach only, beside the procedure (PCS B3.11a)" in hit.why


def test_a_drug_comes_before_a_report_that_it_was_not_given(lexicon):
    add_codes(
        ("hcpcs", "G9837", "Trastuzumab not administered within 12 months of diagnosis"),
        ("hcpcs", "J9355", "Injection, trastuzumab, 10 mg"),
    )
    assert codes_for("Herceptin") == ["J9355", "G9837"]
    assert codes_for("trastuzumab not administered")[0] == "G9837"


def test_a_stage_or_type_said_in_the_query_is_one_the_index_entry_must_say(lexicon):
    virus = "influenza virus with other manifestations"
    add_codes(
        ("icd10cm", "N18.9", "Chronic kidney disease, unspecified"),
        ("icd10cm", "N18.30", "Chronic kidney disease, stage 3 unspecified"),
        ("icd10cm", "J11.1", f"Influenza due to unidentified {virus}"),
        ("icd10cm", "J10.1", f"Influenza due to other identified {virus}"),
    )
    assert codes_for("CKD")[0] == "N18.9"
    # A plain number, or one run into the shorthand, is the stage: not `disease, kidney, chronic`.
    assert codes_for("CKD 3")[0] == "N18.30"
    assert codes_for("CKD3")[0] == "N18.30"
    assert codes_for("flu")[0] == "J11.1"
    assert codes_for("flu A")[0] == "J10.1"  # a type typed in capitals is not the entry `influenza`


def test_an_inflammation_is_not_its_organs_adjective(lexicon):
    assert stem("esophagitis") != stem("esophageal")
    add_codes(
        ("icd10cm", "K20.9", "Esophagitis, unspecified"),
        ("icd10cm", "I85.00", "Esophageal varices without bleeding"),
        ("icd10cm", "K21.9", "Gastro-esophageal reflux disease without esophagitis"),
        (
            "icd10cm",
            "K21.00",
            "Gastro-esophageal reflux disease with esophagitis, without bleeding",
        ),
    )
    assert "I85.00" not in codes_for("esophagitis")
    assert codes_for("esophageal reflux with esophagitis")[0] == "K21.00"


def test_a_history_is_not_the_condition_an_index_entry_names(lexicon):
    add_codes(
        ("icd10cm", "I63.9", "Cerebral infarction, unspecified"),
        (
            "icd10cm",
            "Z86.73",
            "Personal history of transient ischemic attack (TIA), and cerebral infarction "
            "without residual deficits",
        ),
    )
    assert codes_for("stroke")[0] == "I63.9"
    for query in ("history of stroke", "hx of stroke"):
        assert codes_for(query)[0] == "Z86.73", query


def test_a_dose_typed_beside_a_drug_counts_less_than_the_drug(lexicon):
    add_codes(
        ("hcpcs", "J0696", "Injection, ceftriaxone sodium, per 250 mg"),
        ("hcpcs", "J2543", "Injection, piperacillin sodium/tazobactam sodium, 1 gram/0.125 grams"),
        ("hcpcs", "Q0162", "Ondansetron 1 mg, oral, fda approved prescription anti-emetic"),
        ("hcpcs", "J2405", "Injection, ondansetron hydrochloride, per 1 mg"),
    )
    assert codes_for("Rocephin 1 gram")[0] == "J0696"
    assert codes_for("Zofran IV")[0] == "J2405"  # a drug into a vein is its Injection code
    # Two digits beside words are a number, not the codes that start so; alone, a code prefix.
    assert parse("insulin 10 units").codes == []
    assert parse("10").codes == ["10"]


def test_what_the_query_says_is_absent_a_code_may_say_nothing_of(lexicon):
    add_codes(
        ("icd10pcs", "BW28ZZZ", "Computerized Tomography (CT Scan) of Head"),
        (
            "icd10pcs",
            "BW280ZZ",
            "Computerized Tomography (CT Scan) of Head using High Osmolar Contrast",
        ),
        ("icd10cm", "S06.0X0A", "Concussion without loss of consciousness, initial encounter"),
        ("icd10cm", "S06.0X0D", "Concussion without loss of consciousness, subsequent encounter"),
        ("icd10cm", "S09.90XA", "Unspecified injury of head, initial encounter"),
        ("hcpcs", "A4641", "Radiopharmaceutical, diagnostic, not otherwise classified, contrast"),
    )
    # ICD-10-PCS writes no contrast (its None) by naming none: a code holding every other word.
    for query in ("CT head without contrast", "CT head w/o contrast"):
        first = search(query).hits[0]
        assert (first.code.code, first.score >= WEIGHTS.bands.all_words.floor) == ("BW28ZZZ", True)
    assert codes_for("CT head with contrast")[0] == "BW280ZZ"
    # A side or an encounter ends what a negation governs.
    query = "concussion without loss of consciousness subsequent encounter"
    assert codes_for(query)[0] == "S06.0X0D"
    # A possessive typed without its apostrophe is the index's word, no typo to correct.
    (crohns,) = build_concepts(parse("crohns").terms, [], lambda word: frozenset({"crohn"}))
    assert crohns.alternatives[0].words[0].indexed


def test_the_codes_one_imported_title_maps_to_come_by_relevance(lexicon, tmp_path):
    add_codes(
        (
            "icd10pcs",
            "0B9N8ZZ",
            "Drainage of Right Pleura, Via Natural or Artificial Opening Endoscopic",
        ),
        ("icd10pcs", "0W993ZZ", "Drainage of Right Pleural Cavity, Percutaneous Approach"),
    )
    gem = tmp_path / "gem.csv"
    gem.write_text(
        "kind,term,target,note\nindex,Thoracentesis,0B9N8ZZ,\nindex,Thoracentesis,0W993ZZ,\n",
        encoding="utf-8",
    )
    call_command("load_synonyms", str(gem), release="v32", stdout=io.StringIO())
    # In the GEM's order the endoscopic pleura would come first; the starter list's
    # `thoracentesis -> drainage pleural cavity percutaneous` says which the coder means.
    assert codes_for("thoracentesis")[:2] == ["0W993ZZ", "0B9N8ZZ"]


def test_diabetes_of_no_type_said_is_type_2(lexicon):
    add_code("icd10cm", "E10.65", "Type 1 diabetes mellitus with hyperglycemia")
    # OCG I.C.4.a.2: the index's type 2 entries apply where no type is documented.
    assert codes_for("diabetes with hyperglycemia")[0] == "E11.65"
    assert codes_for("type 1 diabetes with hyperglycemia")[0] == "E10.65"
