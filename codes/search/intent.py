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


# The ICD-10-PCS root operations of the Medical and Surgical section (the third axis).
ROOT_OPERATIONS = frozenset(
    {"alteration", "bypass", "change", "control", "creation", "destruction", "detachment"}
    | {"dilation", "division", "drainage", "excision", "extirpation", "extraction", "fragmentation"}
    | {"fusion", "insertion", "inspection", "map", "occlusion", "reattachment", "release"}
    | {"removal", "repair", "replacement", "reposition", "resection", "restriction", "revision"}
    | {"supplement", "transfer", "transplantation"}
)
# How a coder says a device was put in, whatever the procedure's root operation.
PLACING_WORDS = frozenset({"insertion", "placement"})


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


def preferred_systems(concepts: Sequence[Concept]) -> frozenset[str]:
    """The system slugs the query's wording prefers (none when it says neither or both)."""
    words = {m.typed for c in concepts for alternative in c.alternatives for m in alternative.words}
    procedure = any(w in PROCEDURE_WORDS or w.endswith(PROCEDURE_ENDINGS) for w in words)
    diagnosis = any(w in DIAGNOSIS_WORDS or w.endswith(DIAGNOSIS_ENDINGS) for w in words)
    if procedure == diagnosis:
        return frozenset()
    return PROCEDURE_SYSTEMS if procedure else DIAGNOSIS_SYSTEMS
