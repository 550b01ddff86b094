"""Codebook reference data. Each table is replaced as a whole by its import command
(manage.py import_reference); it is not editor text and keeps no history."""

from django.db import models


class TabularLevel(models.Model):
    """One level of the ICD-10-CM Tabular List: a chapter, a section or a `<diag>`.

    `key` is what a coder reads: `4` (chapter), `E08-E13` (section), `E11`, `E11.6`. Chapters and
    sections cover the categories `first` to `last`; a diag covers itself and what starts with it.
    """

    class Kind(models.TextChoices):
        CHAPTER = "chapter", "Chapter"
        SECTION = "section", "Section"
        CATEGORY = "category", "Category"
        SUBCATEGORY = "subcategory", "Subcategory"

    release = models.CharField(max_length=20)
    key = models.CharField(max_length=16)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.TextField()
    parent = models.CharField(max_length=16, blank=True, db_index=True)
    first = models.CharField(max_length=8, blank=True)
    last = models.CharField(max_length=8, blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        # A one-category section shares its key with the category (section C7A, category C7A).
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="unique_tabular_level"),
        ]
        indexes = [
            models.Index(fields=["key"], name="tabular_level_key"),
            models.Index(fields=["first", "last"], name="tabular_level_range"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """How the page names the level a note comes from: `Chapter 4`, `E08-E13`, `E11`."""
        return f"Chapter {self.key}" if self.kind == self.Kind.CHAPTER else self.key

    @property
    def is_range(self) -> bool:
        return self.kind in (self.Kind.CHAPTER, self.Kind.SECTION)


class TabularNote(models.Model):
    """One note of a Tabular level, as the Tabular prints it under that level."""

    class Kind(models.TextChoices):
        INCLUDES = "includes", "Includes"
        INCLUSION_TERM = "inclusionTerm", "Inclusion term"
        EXCLUDES1 = "excludes1", "Excludes1"
        EXCLUDES2 = "excludes2", "Excludes2"
        CODE_FIRST = "codeFirst", "Code first"
        USE_ADDITIONAL_CODE = "useAdditionalCode", "Use additional code"
        CODE_ALSO = "codeAlso", "Code also"
        NOTE = "notes", "Note"
        SEVENTH_CHARACTER_NOTE = "sevenChrNote", "7th character note"

    level = models.ForeignKey(TabularLevel, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    text = models.TextField()
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.level.label} {self.get_kind_display()}: {self.text}"


class SeventhCharacter(models.Model):
    """A 7th character a Tabular level defines for every code below it (`A`: initial encounter)."""

    level = models.ForeignKey(
        TabularLevel, on_delete=models.CASCADE, related_name="seventh_characters"
    )
    character = models.CharField(max_length=1)
    meaning = models.TextField()
    note = models.TextField(blank=True)
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.character}: {self.meaning}"


class PcsValue(models.Model):
    """What one character of an ICD-10-PCS code means where it stands.

    The meaning of a character depends on the characters before it: the section (position 1)
    on nothing, the body system (2) on the section, the root operation (3) on the first two,
    characters 4-7 on the table (the first three). `prefix` holds those characters.
    """

    release = models.CharField(max_length=20)
    prefix = models.CharField(max_length=3, blank=True)
    position = models.PositiveSmallIntegerField()
    value = models.CharField(max_length=1)
    meaning = models.CharField(max_length=300)
    definition = models.TextField(blank=True)
    explanation = models.TextField(blank=True)
    examples = models.TextField(blank=True)
    key_terms = models.TextField(
        blank=True, help_text="Body-part key: the terms that are coded to this body part."
    )

    class Meta:
        ordering = ["prefix", "position", "value"]
        constraints = [
            models.UniqueConstraint(
                fields=["prefix", "position", "value"], name="unique_pcs_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}[{self.position}]={self.value} {self.meaning}"


class MsDrgVersion(models.Model):
    """One MS-DRG grouper version (CMS definitions), in force from `effective` until the next."""

    label = models.CharField(max_length=10, unique=True)  # "v43.1"
    effective = models.DateField()
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-effective"]

    def __str__(self) -> str:
        return f"MS-DRG {self.label}"


class MsDrgDiagnosis(models.Model):
    """An ICD-10-CM code that is a CC or an MCC in one MS-DRG version (MS-DRG appendix C)."""

    class Level(models.TextChoices):
        CC = "CC", "CC"
        MCC = "MCC", "MCC"

    version = models.ForeignKey(MsDrgVersion, on_delete=models.CASCADE, related_name="diagnoses")
    code = models.CharField(max_length=16)
    level = models.CharField(max_length=3, choices=Level.choices)
    pdx_collection = models.CharField(
        max_length=8, blank=True, help_text="The principal diagnoses that exclude it as a CC/MCC."
    )
    hac = models.CharField(max_length=2, blank=True, help_text="Its HAC category, if any.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_msdrg_diagnosis"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.level} ({self.version.label})"


class MsDrgPdxCollection(models.Model):
    """One CC exclusion list of one version: the principal diagnoses (PDX) with which the CCs
    and MCCs that name this collection do not count as CC or MCC."""

    version = models.ForeignKey(MsDrgVersion, on_delete=models.CASCADE, related_name="+")
    collection = models.CharField(max_length=8)
    codes = models.TextField(help_text="The principal diagnoses, in code order, one per line.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["version", "collection"], name="unique_msdrg_pdx_collection"
            ),
        ]

    def __str__(self) -> str:
        return f"PDX collection {self.collection}"

    @property
    def pdx_codes(self) -> list[str]:
        return self.codes.splitlines()


class MsDrgProcedure(models.Model):
    """An ICD-10-PCS code the grouper knows in one version: O.R. or non-O.R. affecting the DRG."""

    version = models.ForeignKey(MsDrgVersion, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=7)
    operating_room = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="unique_msdrg_procedure"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {'O.R.' if self.operating_room else 'non-O.R.'}"


class HccMapping(models.Model):
    """An ICD-10-CM code's CMS-HCC in one model (V24, V28) for one payment year."""

    year = models.PositiveSmallIntegerField()
    model = models.CharField(max_length=8)
    code = models.CharField(max_length=16)
    hcc = models.CharField(max_length=8)
    label = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["year", "model", "hcc"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "model", "code", "hcc"], name="unique_hcc_mapping"
            ),
        ]
        indexes = [models.Index(fields=["code", "year"], name="hcc_mapping_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.model} {self.year}: HCC {self.hcc}"


class HcpcsFacts(models.Model):
    """An HCPCS Level II code's administrative facts from the CMS file, each value with its
    meaning from the CMS record layout."""

    release = models.CharField(max_length=20)
    code = models.CharField(max_length=5, unique=True)
    pricing = models.JSONField(default=list, help_text="[value, meaning] per pricing indicator.")
    multiple_pricing = models.CharField(max_length=1, blank=True)
    multiple_pricing_meaning = models.TextField(blank=True)
    coverage = models.CharField(max_length=1, blank=True)
    coverage_meaning = models.TextField(blank=True)
    betos = models.CharField(max_length=3, blank=True)
    action = models.CharField(max_length=1, blank=True)
    action_meaning = models.TextField(blank=True)
    added = models.DateField(null=True, blank=True)
    action_effective = models.DateField(null=True, blank=True)
    terminated = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "HCPCS facts"

    def __str__(self) -> str:
        return self.code
