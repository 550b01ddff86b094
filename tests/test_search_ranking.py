"""How words are ranked, on small made-up neighbourhoods of real codes: what a coder wants first.
Runs on SQLite and PostgreSQL alike."""

import pytest

from codes.codebook.models import PcsValue
from codes.models import Code, CodeSystem, Synonym
from codes.search import search


def add(system: str, code: str, title: str, terms: str = "") -> None:
    Code.objects.create(
        system=CodeSystem.objects.get(slug=system), code=code, title=title, inclusion_terms=terms
    )


def found(query: str) -> list[str]:
    return [hit.code.code for hit in search(query).hits]


@pytest.fixture
def fractures(db):
    add("icd10cm", "M84.359", "Stress fracture, hip, unspecified")
    add("icd10cm", "M84.459", "Pathological fracture, hip, unspecified")
    add(
        "icd10cm",
        "S72.00",
        "Fracture of unspecified part of neck of femur",
        "Fracture of hip NOS\nFracture of neck of femur NOS",
    )


def test_an_inclusion_term_holding_the_query_weighs_like_a_title(fractures):
    assert found("hip fracture")[0] == "S72.00"
    assert found("fracture of hip")[0] == "S72.00"


def test_the_general_code_comes_before_the_specific_ones(db):
    add("icd10cm", "I50.2", "Systolic (congestive) heart failure")
    add("icd10cm", "I50.22", "Chronic systolic (congestive) heart failure")
    add("icd10cm", "I50.9", "Heart failure, unspecified", "Congestive heart failure NOS")
    add("icd10cm", "I50.1", "Left ventricular failure, unspecified")
    # I50.2 is a heading: the code under it comes first, in its place.
    assert found("congestive heart failure")[:3] == ["I50.9", "I50.22", "I50.2"]
    assert found("heart failure")[0] == "I50.9"


def test_a_synonym_counts_as_much_as_the_words_it_stands_for(db):
    Synonym.objects.create(term="COPD", meaning="chronic obstructive pulmonary disease")
    add(
        "hcpcs",
        "G8924",
        "Spirometry test results demonstrate fev1/fvc < 70%, fev < 60% predicted and patient "
        "has copd symptoms (e.g., dyspnea, cough/sputum, wheezing)",
        "Spir fev1/fvc<70%,fev<60%",
    )
    add("icd10cm", "J44.1", "Chronic obstructive pulmonary disease with (acute) exacerbation")
    add("icd10cm", "J44.9", "Chronic obstructive pulmonary disease, unspecified")
    assert found("copd") == ["J44.9", "J44.1", "G8924"]


def test_a_line_is_about_what_comes_before_its_first_comma(db):
    add("hcpcs", "E0156", "Seat attachment, walker", "Walker seat attachment")
    add("hcpcs", "E0130", "Walker, rigid (pickup), adjustable or fixed height")
    add("icd10cm", "R62.0", "Delayed milestone in childhood", "Late talker\nLate walker")
    assert found("walker")[0] == "E0130"


def test_words_of_a_multi_word_synonym_are_found_together_in_one_line(db):
    Synonym.objects.create(term="appendectomy", meaning="resection appendix")
    Synonym.objects.create(term="laparoscopic", meaning="percutaneous endoscopic")
    add("icd10pcs", "0DTJ0ZZ", "Resection of Appendix, Open Approach")
    add("icd10pcs", "0DTJ4ZZ", "Resection of Appendix, Percutaneous Endoscopic Approach")
    add("icd10pcs", "0DBJ4ZZ", "Excision of Appendix, Percutaneous Endoscopic Approach")
    add("icd10pcs", "0DTN0ZZ", "Resection of Sigmoid Colon, Open Approach", "Appendix resected")
    assert found("appendectomy") == ["0DTJ0ZZ", "0DTJ4ZZ", "0DTN0ZZ"]
    assert found("laparoscopic appendectomy")[0] == "0DTJ4ZZ"


def test_a_typed_abbreviation_is_a_whole_word_not_the_start_of_another(db):
    Synonym.objects.create(term="MI", meaning="myocardial infarction")
    add("icd10cm", "G43.909", "Migraine, unspecified, not intractable")
    add("icd10cm", "H57.03", "Miosis")
    add("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    assert found("MI") == ["I21.9"]
    assert found("mig") == ["G43.909"]


def test_a_typed_negation_asks_for_the_code_that_says_the_same_absence(db):
    # `without obstruction` is what K44.9 says; K44.0 says `with obstruction, without gangrene`.
    add("icd10cm", "K44.0", "Diaphragmatic hernia with obstruction, without gangrene")
    add(
        "icd10cm",
        "K44.9",
        "Diaphragmatic hernia without obstruction or gangrene",
        "Hiatal hernia NOS",
    )
    assert found("diaphragmatic hernia without obstruction")[0] == "K44.9"
    assert found("diaphragmatic hernia with obstruction")[0] == "K44.0"


def test_a_negation_ends_at_the_next_with(db):
    Synonym.objects.create(term="w/o", meaning="without")
    add(
        "icd10cm",
        "K57.31",
        "Diverticulosis of large intestine without perforation or abscess with bleeding",
    )
    add(
        "icd10cm",
        "K57.30",
        "Diverticulosis of large intestine without perforation or abscess without bleeding",
    )
    assert found("diverticulosis without bleeding")[0] == "K57.30"
    assert found("diverticulosis with bleeding")[0] == "K57.31"
    assert found("diverticulosis w/o bleeding")[0] == "K57.30"


def test_a_negation_reaches_through_parentheses_and_non_governs_one_word(db):
    add("icd10cm", "G70.00", "Myasthenia gravis without (acute) exacerbation")
    add("icd10cm", "G70.01", "Myasthenia gravis with (acute) exacerbation")
    add("icd10cm", "I21.4", "Non-ST elevation (NSTEMI) myocardial infarction")
    add("icd10cm", "I21.3", "ST elevation (STEMI) myocardial infarction of unspecified site")
    assert found("myasthenia gravis without exacerbation")[0] == "G70.00"
    assert found("myasthenia gravis exacerbation")[0] == "G70.01"
    assert found("nstemi")[0] == "I21.4"


def test_uncomplicated_is_the_code_without_exacerbation_or_complication(db):
    Synonym.objects.create(
        kind=Synonym.Kind.TRANSLATION, term="without exacerbation", meaning="uncomplicated"
    )
    Synonym.objects.create(term="without complication", meaning="uncomplicated")
    add("icd10cm", "J45.901", "Unspecified asthma with (acute) exacerbation")
    add("icd10cm", "J45.909", "Unspecified asthma, uncomplicated", "Asthma NOS")
    add("icd10cm", "F10.10", "Alcohol abuse, uncomplicated")
    add("icd10cm", "F10.120", "Alcohol abuse with intoxication, uncomplicated")
    add("icd10cm", "F10.129", "Alcohol abuse with intoxication, unspecified")
    assert found("asthma without exacerbation")[0] == "J45.909"
    assert found("asthma with exacerbation")[0] == "J45.901"
    assert found("alcohol abuse without complications")[0] == "F10.10"


def test_shorthand_is_read_out_before_the_phrases_it_starts(db):
    # `h/o MI` is `history of MI`, which the lexicon translates as a whole.
    Synonym.objects.create(term="h/o", meaning="history of")
    Synonym.objects.create(term="MI", meaning="myocardial infarction")
    Synonym.objects.create(
        kind=Synonym.Kind.TRANSLATION, term="history of MI", meaning="old myocardial infarction"
    )
    add("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    add("icd10cm", "I25.2", "Old myocardial infarction", "Healed myocardial infarction")
    assert found("h/o MI")[0] == "I25.2"
    hit = search("h/o MI").hits[0]
    assert hit.matched_via[0].startswith("h o -> history of (synonym")
    assert "history of mi -> old myocardial infarction" in hit.matched_via[0]
    assert found("MI")[0] == "I21.9"


def test_the_deeper_index_subterm_the_query_holds_comes_first(db):
    for term, code in (
        ("infarction, myocardial", "I21.9"),
        ("infarction, myocardial, old", "I25.2"),
    ):
        Synonym.objects.create(kind=Synonym.Kind.INDEX, term=term, meaning=code)
    add("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    add("icd10cm", "I25.2", "Old myocardial infarction")
    assert found("old myocardial infarction")[0] == "I25.2"
    assert found("myocardial infarction")[0] == "I21.9"


def test_what_a_coder_rules_out_is_not_searched_the_symptoms_are(db):
    Synonym.objects.create(term="r/o", meaning="rule out")
    Synonym.objects.create(term="MI", meaning="myocardial infarction")
    add("icd10cm", "R07.9", "Chest pain, unspecified")
    add("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    add(
        "icd10cm",
        "I21.A1",
        "Myocardial infarction type 2",
        "Chest pain due to myocardial infarction",
    )
    assert found("chest pain r/o MI") == ["R07.9", "I21.A1"]  # both say chest pain
    assert found("chest pain rule out myocardial infarction") == ["R07.9", "I21.A1"]
    # Alone, the words still mean what they say.
    assert "R07.9" not in found("rule out")


def test_a_pcs_title_is_about_its_operation_and_body_part_the_device_qualifies_it(db):
    Synonym.objects.create(
        kind=Synonym.Kind.TRANSLATION,
        term="total knee replacement",
        meaning="replacement knee joint",
    )
    add(
        "icd10pcs",
        "0SRV0JZ",
        "Replacement of Right Knee Joint, Tibial Surface with Synthetic Substitute, Open Approach",
    )
    add(
        "icd10pcs",
        "0SRC0JZ",
        "Replacement of Right Knee Joint with Synthetic Substitute, Open Approach",
    )
    assert found("total knee replacement right")[0] == "0SRC0JZ"


def test_a_device_placed_as_part_of_a_procedure_is_coded_by_that_procedure(db):
    # A chest tube is Drainage of the pleural cavity with a drainage device (PCS B6.1), however
    # the coder says it went in.
    Synonym.objects.create(
        kind=Synonym.Kind.TRANSLATION,
        term="chest tube",
        meaning="drainage pleural cavity drainage device",
    )
    add(
        "icd10pcs",
        "0W9930Z",
        "Drainage of Right Pleural Cavity with Drainage Device, Percutaneous Approach",
    )
    add(
        "icd10pcs",
        "0W9B30Z",
        "Drainage of Left Pleural Cavity with Drainage Device, Percutaneous Approach",
    )
    add("icd10pcs", "0W2BX0Z", "Change Drainage Device in Left Pleural Cavity, External Approach")
    add(
        "icd10pcs",
        "0WH933Z",
        "Insertion of Infusion Device into Right Pleural Cavity, Percutaneous Approach",
    )
    add(
        "icd10pcs",
        "0WP930Z",
        "Removal of Drainage Device from Right Pleural Cavity, Percutaneous Approach",
    )
    assert found("chest tube insertion right")[0] == "0W9930Z"
    assert found("chest tube placement")[:2] == ["0W9B30Z", "0W9930Z"]  # either side
    # Taking it out is an operation of its own.
    assert found("chest tube removal")[0] == "0WP930Z"


@pytest.fixture
def gallbladder_tables(db):
    """Tables 0FB and 0FT as the codebook holds them: root operations with their definitions,
    the approaches of each table, and the codes."""
    for value, meaning, definition in (
        ("B", "Excision", "Cutting out or off, without replacement, a portion of a body part"),
        ("T", "Resection", "Cutting out or off, without replacement, all of a body part"),
    ):
        PcsValue.objects.create(
            release="2024",
            prefix="0F",
            position=3,
            value=value,
            meaning=meaning,
            definition=definition,
        )
        for approach, name in (("0", "Open"), ("4", "Percutaneous Endoscopic")):
            PcsValue.objects.create(
                release="2024", prefix="0F" + value, position=5, value=approach, meaning=name
            )
            add(
                "icd10pcs",
                f"0F{value}4{approach}ZZ",
                f"{meaning} of Gallbladder, {name} Approach",
            )
    for target in ("0FT4", "0FB4"):
        Synonym.objects.create(kind=Synonym.Kind.INDEX, term="cholecystectomy", meaning=target)
    Synonym.objects.create(
        kind=Synonym.Kind.TRANSLATION, term="laparoscopic", meaning="percutaneous endoscopic"
    )


def test_a_pcs_procedure_word_with_an_approach_finds_the_code_of_those_axis_values(
    gallbladder_tables,
):
    # The index says cholecystectomy is Resection (or Excision), Gallbladder: 0FT4 / 0FB4; the
    # table's fifth axis says what laparoscopic (Percutaneous Endoscopic) and open are.
    assert found("laparoscopic cholecystectomy")[0] == "0FT44ZZ"
    assert found("open cholecystectomy")[0] == "0FT40ZZ"
    hit = search("laparoscopic cholecystectomy").hits[0]
    assert "laparoscopic -> Percutaneous Endoscopic (approach" in hit.matched_via[0]


def test_the_extent_a_coder_names_picks_the_root_operation_by_its_definition(
    gallbladder_tables,
):
    assert found("partial cholecystectomy")[0].startswith("0FB4")
    assert found("laparoscopic partial cholecystectomy")[0] == "0FB44ZZ"
    assert found("total cholecystectomy")[0].startswith("0FT4")


def test_a_heading_found_by_its_inclusion_term_is_preceded_by_the_code_under_it(db):
    add(
        "icd10cm",
        "K80.2",
        "Calculus of gallbladder without cholecystitis",
        "Cholelithiasis (without cholecystitis)",
    )
    add("icd10cm", "K80.20", "Calculus of gallbladder without cholecystitis without obstruction")
    add("icd10cm", "K80.21", "Calculus of gallbladder without cholecystitis with obstruction")
    hits = search("cholelithiasis without cholecystitis").hits
    assert [hit.code.code for hit in hits][:2] == ["K80.20", "K80.2"]
    assert hits[0].score == hits[1].score
    assert "K80.2 -> K80.20" in hits[0].why


def test_under_a_heading_the_unspecified_initial_encounter_comes_first(db):
    add(
        "icd10cm",
        "S42.41",
        "Simple supracondylar fracture without intercondylar fracture of humerus",
    )
    for code, kind, side in (
        ("S42.411", "Displaced", "right"),
        ("S42.413", "Displaced", "unspecified"),
        ("S42.416", "Nondisplaced", "unspecified"),
    ):
        title = (
            f"{kind} simple supracondylar fracture without intercondylar fracture of {side} humerus"
        )
        add("icd10cm", code, title)
        add("icd10cm", f"{code}A", f"{title}, initial encounter for closed fracture")
        add("icd10cm", f"{code}B", f"{title}, initial encounter for open fracture")
        add(
            "icd10cm",
            f"{code}D",
            f"{title}, subsequent encounter for fracture with routine healing",
        )
    query = "supracondylar fracture of humerus without intercondylar fracture"
    assert found(query)[0] == "S42.413A"
    assert found(f"{query} right")[0] == "S42.411A"
    assert found(f"{query} subsequent encounter")[0] == "S42.413D"


def test_under_a_heading_the_code_the_index_sends_the_plain_term_to_comes_first(db):
    add("icd10cm", "M81", "Osteoporosis without current pathological fracture")
    add(
        "icd10cm",
        "M81.0",
        "Age-related osteoporosis without current pathological fracture",
        "Osteoporosis NOS\nSenile osteoporosis without current pathological fracture",
    )
    add("icd10cm", "M81.8", "Other osteoporosis without current pathological fracture")
    assert found("osteoporosis without fracture")[:2] == ["M81.0", "M81"]
    assert found("other osteoporosis without fracture")[0] == "M81.8"


def test_a_typed_code_family_keeps_its_heading_first(db):
    add("icd10cm", "I21", "Acute myocardial infarction")
    add("icd10cm", "I21.9", "Acute myocardial infarction, unspecified")
    assert found("I21")[:2] == ["I21", "I21.9"]
    assert found("acute myocardial infarction")[:2] == ["I21.9", "I21"]


def test_a_code_under_two_headings_found_is_listed_once(db):
    for code, title in (
        ("S01.0", "Open wound of scalp"),
        ("S01.00", "Unspecified open wound of scalp"),
        ("S01.00XA", "Unspecified open wound of scalp, initial encounter"),
        ("S01.00XD", "Unspecified open wound of scalp, subsequent encounter"),
    ):
        add("icd10cm", code, title)
    codes = found("open wound of scalp")
    assert codes[0] == "S01.00XA"
    assert len(codes) == len(set(codes))
