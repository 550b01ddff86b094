"""Coder intent: a query worded as a procedure prefers the procedure systems (CPT, HCPCS,
ICD-10-PCS), one worded as a diagnosis prefers ICD-10-CM. Read from the query's words and the
words its terminology gave it; a query that says neither prefers nothing."""

from collections.abc import Sequence
from dataclasses import replace

from codes.search.concepts import ROOT_OPERATIONS, Alternative, Concept, WordMatcher

PROCEDURE_SYSTEMS = frozenset({"cpt", "hcpcs", "icd10pcs"})
DIAGNOSIS_SYSTEMS = frozenset({"icd10cm"})
PROCEDURE_ENDINGS = ("ectomy", "otomy", "ostomy", "plasty", "pexy", "scopy", "rrhaphy", "desis")
PROCEDURE_WORDS = frozenset(
    {"repair", "resection", "excision", "insertion", "removal", "replacement", "biopsy"}
    | {"injection", "drainage", "bypass", "dilation", "fusion", "reposition", "transplant"}
    | {"implantation", "amputation", "graft", "transfusion", "infusion", "ligation"}
    | {"incision", "extraction", "inspection", "destruction", "imaging", "radiography"}
)
DIAGNOSIS_ENDINGS = ("itis", "osis", "emia", "oma", "algia", "pathy", "plegia", "iasis")
DIAGNOSIS_WORDS = frozenset(
    {"disease", "disorder", "syndrome", "fracture", "infection", "pain", "injury", "failure"}
    | {"deficiency", "ulcer", "tear", "sprain", "strain", "poisoning", "pregnancy", "infarction"}
    | {"neoplasm", "cancer", "tumor", "hemorrhage", "stenosis", "obstruction", "dislocation"}
)


# How a coder says a device was put in, whatever the procedure's root operation.
PLACING_WORDS = frozenset({"insertion", "placement"})
INSPECTION = "inspection"
# The words of the ICD-10-PCS approaches (the fifth axis): `Via Natural or Artificial Opening
# Endoscopic`, `Percutaneous Endoscopic`, `Open`, `External`.
APPROACH_WORDS = frozenset(
    {"via", "natural", "or", "artificial", "opening", "endoscopic", "percutaneous", "open"}
    | {"external"}
)


def placing_implied(concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts less a typed `insertion` or `placement` when another concept's translation
    names its root operation: a device put in as part of a procedure is that procedure's device
    (ICD-10-PCS B6.1), so `chest tube insertion` is Drainage of the pleural cavity with a
    drainage device, not Insertion."""

    def names_operation(concept: Concept) -> bool:
        return any(
            alternative.via and alternative.words[0].typed in ROOT_OPERATIONS
            for alternative in concept.alternatives[1:]
        )

    if not any(names_operation(concept) for concept in concepts):
        return list(concepts)
    return [concept for concept in concepts if concept.label not in PLACING_WORDS]


def scope_as_approach(concepts: Sequence[Concept]) -> list[Concept]:
    """The concepts with a scope's translation as Inspection (`EGD` -> `inspection upper
    intestinal tract via natural or artificial opening endoscopic`) read as its approach alone
    when another concept names another root operation: an inspection done to perform a
    procedure is not coded apart (ICD-10-PCS B3.11a), so `EGD with esophageal dilation` is
    Dilation of the esophagus through the scope's approach; beside a procedure that names its
    own approach the scope is not read at all (`EGD with PEG placement`)."""

    def inspects(alternative: Alternative) -> bool:
        return bool(alternative.via) and alternative.words[0].typed == INSPECTION

    def operates(concept: Concept) -> bool:
        return any(
            m.typed in ROOT_OPERATIONS and m.typed != INSPECTION
            for alternative in concept.alternatives
            if not inspects(alternative)
            for m in alternative.words
        )

    def approaches(concept: Concept) -> bool:
        return any(
            alternative.via and alternative.words[-1].typed in APPROACH_WORDS
            for alternative in concept.alternatives[1:]
            if not inspects(alternative)
        )

    if not any(operates(concept) for concept in concepts):
        return list(concepts)
    # A procedure that names its own approach (`PEG placement`: Percutaneous) leaves the scope
    # nothing to say: neither the inspection nor the scope's approach is coded.
    own_approach = any(approaches(concept) for concept in concepts)
    read = []
    for concept in concepts:
        if not any(inspects(alternative) for alternative in concept.alternatives):
            read.append(concept)
            continue
        if own_approach:
            continue
        alternatives = []
        for alternative in concept.alternatives:
            ways = [alternative]
            if inspects(alternative):
                # Its body part and approach (`cystoscopy with biopsy`: of the bladder), or its
                # approach alone (`EGD with esophageal dilation`: the esophagus).
                via = f"{alternative.via}; its approach only, beside the procedure (PCS B3.11a)"
                ways = [
                    replace(alternative, words=words, via=via)
                    for words in (alternative.words[1:], _approach_of(alternative))
                    if words
                ]
            alternatives += [way for way in ways if way not in alternatives]
        read.append(replace(concept, alternatives=tuple(alternatives)))
    return read


def _approach_of(alternative: Alternative) -> tuple[WordMatcher, ...]:
    """The approach an alternative ends with (its last words that are approach words)."""
    words = alternative.words
    start = len(words)
    while start and words[start - 1].typed in APPROACH_WORDS:
        start -= 1
    # `or` alone is no approach, nor are the words of `Via Natural or Artificial Opening` cut.
    return words[start:] if any(m.typed != "or" for m in words[start:]) else ()


def preferred_systems(concepts: Sequence[Concept]) -> frozenset[str]:
    """The system slugs the query's wording prefers (none when it says neither or both)."""
    words = {m.typed for c in concepts for alternative in c.alternatives for m in alternative.words}
    procedure = any(w in PROCEDURE_WORDS or w.endswith(PROCEDURE_ENDINGS) for w in words)
    diagnosis = any(w in DIAGNOSIS_WORDS or w.endswith(DIAGNOSIS_ENDINGS) for w in words)
    if procedure == diagnosis:
        return frozenset()
    return PROCEDURE_SYSTEMS if procedure else DIAGNOSIS_SYSTEMS
