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
