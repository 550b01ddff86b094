"""Coder intent: a query worded as a procedure prefers the procedure systems (CPT, HCPCS,
ICD-10-PCS), one worded as a diagnosis prefers ICD-10-CM. Read from the query's words and the
words its terminology gave it; a query that says neither prefers nothing."""

from collections.abc import Sequence

from codes.search.concepts import Concept

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


def preferred_systems(concepts: Sequence[Concept]) -> frozenset[str]:
    """The system slugs the query's wording prefers (none when it says neither or both)."""
    words = {m.typed for c in concepts for alternative in c.alternatives for m in alternative.words}
    procedure = any(w in PROCEDURE_WORDS or w.endswith(PROCEDURE_ENDINGS) for w in words)
    diagnosis = any(w in DIAGNOSIS_WORDS or w.endswith(DIAGNOSIS_ENDINGS) for w in words)
    if procedure == diagnosis:
        return frozenset()
    return PROCEDURE_SYSTEMS if procedure else DIAGNOSIS_SYSTEMS
