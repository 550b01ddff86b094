"""What a code does to a claim: its MS-DRG severity (CC, MCC or neither) and CC exclusions, its
HAC category, O.R. or non-O.R. for a procedure, and its CMS-HCC per model and payment year."""

from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from codes.codebook.models import (
    HccMapping,
    MsDrgDiagnosis,
    MsDrgPdxCollection,
    MsDrgProcedure,
    MsDrgVersion,
)
from codes.models import Code

FIRST_PDX = 10
# CMS's Hospital-Acquired Condition categories, as the MS-DRG definitions number them.
HAC_CATEGORIES = {
    "01": "Foreign object retained after surgery",
    "02": "Air embolism",
    "03": "Blood incompatibility",
    "04": "Stage III and IV pressure ulcers",
    "05": "Falls and trauma",
    "06": "Catheter-associated urinary tract infection",
    "07": "Vascular catheter-associated infection",
    "08": "Surgical site infection, mediastinitis, following CABG",
    "09": "Manifestations of poor glycemic control",
    "10": "DVT/PE with total knee or hip replacement",
    "11": "Surgical site infection following bariatric surgery",
    "12": "Surgical site infection following certain orthopedic procedures",
    "13": "Surgical site infection following CIED procedures",
    "14": "Iatrogenic pneumothorax with venous catheterization",
}
NEITHER = "neither"


@dataclass(frozen=True)
class Hcc:
    year: int
    model: str
    hcc: str
    label: str


@dataclass
class ClaimFacts:
    """The facts; a field left empty (or None) does not apply to the code's system."""

    billable: bool | None = None
    msdrg_version: str = ""
    msdrg_effective: date | None = None
    severity: str = ""  # "MCC", "CC" or "neither", for ICD-10-CM codes
    hac: str = ""
    pdx_collection: str = ""
    pdx_count: int = 0
    pdx_first: list[str] = field(default_factory=list)
    operating_room: bool | None = None  # for ICD-10-PCS codes
    hcc: list[Hcc] = field(default_factory=list)

    @property
    def hac_name(self) -> str:
        return HAC_CATEGORIES.get(self.hac, "")

    def cells(self) -> dict[str, str]:
        """The facts as one line of text each, for the comparison's aligned block."""
        cells = {"Billable": "" if self.billable is None else ("yes" if self.billable else "no")}
        if self.severity:
            cells[f"CC/MCC (MS-DRG {self.msdrg_version})"] = self.severity
        if self.operating_room is not None:
            cells[f"O.R. (MS-DRG {self.msdrg_version})"] = (
                "O.R." if self.operating_room else "non-O.R."
            )
        for hcc in self.hcc:
            cells[f"HCC {hcc.model} {hcc.year}"] = f"HCC {hcc.hcc} {hcc.label}".strip()
        return cells

    def as_json(self) -> dict[str, Any]:
        """The facts for /api/: dates as ISO 8601."""
        data = asdict(self)
        data["msdrg_effective"] = self.msdrg_effective.isoformat() if self.msdrg_effective else None
        data["hac_name"] = self.hac_name
        return data


def msdrg_version_on(day: date) -> MsDrgVersion | None:
    """The MS-DRG version in force on `day`: the latest one loaded that started by then."""
    return MsDrgVersion.objects.filter(effective__lte=day).order_by("-effective").first()


def claim_facts(code: Code, *, on: date, billable: bool | None = None) -> ClaimFacts:
    """What `code` does to a claim with a date of service `on`."""
    facts = ClaimFacts(billable=billable)
    slug = code.system.slug
    if slug not in ("icd10cm", "icd10pcs"):
        return facts
    version = msdrg_version_on(on)
    if version is not None:
        facts.msdrg_version, facts.msdrg_effective = version.label, version.effective
        if slug == "icd10cm":
            _add_severity(facts, code, version)
        else:
            procedure = MsDrgProcedure.objects.filter(version=version, code=code.code).first()
            facts.operating_room = procedure is not None and procedure.operating_room
    if slug == "icd10cm":
        facts.hcc = [
            Hcc(row.year, row.model, row.hcc, row.label)
            for row in HccMapping.objects.filter(code=code.code).order_by("year", "model", "hcc")
        ]
    return facts


def _add_severity(facts: ClaimFacts, code: Code, version: MsDrgVersion) -> None:
    diagnosis = MsDrgDiagnosis.objects.filter(version=version, code=code.code).first()
    if diagnosis is None:
        facts.severity = NEITHER
        return
    facts.severity, facts.hac = diagnosis.level, diagnosis.hac
    collection = pdx_collection(version, diagnosis.pdx_collection)
    if collection is not None:
        codes = collection.pdx_codes
        facts.pdx_collection, facts.pdx_count = collection.collection, len(codes)
        facts.pdx_first = codes[:FIRST_PDX]


def pdx_collection(version: MsDrgVersion, collection: str) -> MsDrgPdxCollection | None:
    """One CC exclusion list of `version`."""
    return MsDrgPdxCollection.objects.filter(version=version, collection=collection).first()


def excluding_pdx(code: Code, *, on: date) -> tuple[MsDrgVersion | None, list[str]]:
    """The MS-DRG version in force `on` and the principal diagnoses that exclude `code` as a CC
    or MCC in it (none when it is neither)."""
    version = msdrg_version_on(on)
    diagnosis = (
        MsDrgDiagnosis.objects.filter(version=version, code=code.code).first() if version else None
    )
    if version is None or diagnosis is None:
        return version, []
    collection = pdx_collection(version, diagnosis.pdx_collection)
    return version, collection.pdx_codes if collection else []


@dataclass(frozen=True)
class ClaimRow:
    """One fact of the comparison's claim block: a label, a value per code in column order
    (None where it does not apply to the code), and whether the codes differ in it."""

    label: str
    values: list[str | None]

    @property
    def differs(self) -> bool:
        return len(set(self.values)) > 1

    def marked(self) -> list[tuple[str | None, bool]]:
        """Each value with whether it differs from the first column's (the word marks' rule)."""
        return [
            (value, index > 0 and value != self.values[0])
            for index, value in enumerate(self.values)
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "values": self.values,
            "differs": self.differs,
            "differs_from_first": [differs for _, differs in self.marked()],
        }


def claim_rows(facts: list[ClaimFacts]) -> list[ClaimRow]:
    """The codes' facts aligned: one row per fact any code has, in order of first appearance."""
    cells = [fact.cells() for fact in facts]
    labels = list(dict.fromkeys(label for cell in cells for label in cell))
    return [
        ClaimRow(label, [cell.get(label) or None for cell in cells])
        for label in labels
        if any(cell.get(label) for cell in cells)
    ]
