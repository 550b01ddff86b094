"""The data model: code systems, codes, curated comparison notes, synonyms, export records."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords


class StaleEditError(Exception):
    """Raised when a save is based on a version somebody else has already replaced."""

    def __init__(self, obj: models.Model, expected: int, current: int | None):
        self.obj = obj
        self.expected = expected
        self.current = current
        super().__init__(
            f"{obj._meta.verbose_name.capitalize()} {obj} was changed by someone else "
            f"(you edited version {expected}, it is now version {current}). Nothing was saved."
        )


class VersionedModel(models.Model):
    """A row whose `version` goes up on every save; a save from an older version is refused.

    The check and the bump are one conditional UPDATE, so two concurrent saves of the same
    version cannot both pass: the second finds no row with its version and fails.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        with transaction.atomic(using=kwargs.get("using")):
            manager = type(self)._default_manager
            bumped = manager.filter(pk=self.pk, version=self.version).update(
                version=F("version") + 1
            )
            if not bumped:
                current = manager.filter(pk=self.pk).values_list("version", flat=True).first()
                raise StaleEditError(self, self.version, current)
            self.version += 1
            return super().save(*args, **kwargs)


class CodeSystem(models.Model):
    slug = models.SlugField(max_length=32, unique=True)
    name = models.CharField(max_length=100)
    code_pattern = models.CharField(
        max_length=200,
        help_text="Regular expression a code of this system must match in full.",
    )
    copyright_notice = models.TextField(
        blank=True, help_text="Shown on every page and export that shows codes of this system."
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        try:
            re.compile(self.code_pattern)
        except re.error as exc:
            raise ValidationError(
                {"code_pattern": f"Not a valid regular expression: {exc}"}
            ) from exc

    def matches(self, code: str) -> bool:
        return re.fullmatch(self.code_pattern, code) is not None


class Code(VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DELETED = "deleted", "Deleted"

    system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=16)
    title = models.TextField(help_text="The descriptor coders read first (short or full title).")
    descriptor = models.TextField(blank=True, help_text="Official long descriptor.")
    lay_description = models.TextField(
        blank=True, help_text="What the procedure or condition involves, in plain words."
    )
    section_path = models.CharField(
        max_length=500,
        blank=True,
        help_text="Chapter > section > group, separated by ' > '.",
    )
    inclusion_terms = models.TextField(
        blank=True, help_text="Synonyms and inclusion terms, one per line."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    effective_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    SECTION_SEPARATOR = " > "

    class Meta:
        ordering = ["system__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="unique_code_per_system"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return reverse("codes:code-detail", args=[self.system.slug, self.code])

    @property
    def sections(self) -> list[str]:
        return [part for part in self.section_path.split(self.SECTION_SEPARATOR) if part]

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    def clean(self):
        self.code = (self.code or "").strip().upper()
        if self.system_id and not self.system.matches(self.code):
            raise ValidationError(
                {"code": f"{self.code!r} is not a valid {self.system.name} code."}
            )
        if self.end_date and self.effective_date and self.end_date < self.effective_date:
            raise ValidationError({"end_date": "The end date is before the effective date."})


class ComparisonNote(VersionedModel):
    """How two look-alike codes differ. The pair is unordered; it is stored in code order."""

    code_a = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="+")
    code_b = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300, help_text="The distinction in one line.")
    body = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the distinction comes from."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code_a__code", "code_b__code"]
        constraints = [
            models.UniqueConstraint(fields=["code_a", "code_b"], name="unique_note_pair"),
            models.CheckConstraint(condition=~Q(code_a=F("code_b")), name="note_codes_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.code_a} vs {self.code_b}"

    def save(self, *args, **kwargs):
        self.put_pair_in_order()
        return super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{reverse('codes:compare')}?codes={self.code_a.code},{self.code_b.code}"

    def put_pair_in_order(self) -> bool:
        """Store the pair in canonical (system, code) order; True when it was swapped."""
        if not (self.code_a_id and self.code_b_id):
            return False
        a, b = self.code_a, self.code_b
        if (a.system.position, a.system.slug, a.code) > (b.system.position, b.system.slug, b.code):
            self.code_a, self.code_b = b, a
            return True
        return False

    def clean(self):
        if self.code_a_id and self.code_a_id == self.code_b_id:
            raise ValidationError("A comparison note needs two different codes.")
        self.pair_was_swapped = self.put_pair_in_order()

    def other_code(self, code: Code) -> Code:
        return self.code_b if code.pk == self.code_a_id else self.code_a


class Differentiator(models.Model):
    """One aligned row of a comparison note: a label and what it is for each code."""

    note = models.ForeignKey(
        ComparisonNote, on_delete=models.CASCADE, related_name="differentiators"
    )
    label = models.CharField(max_length=200)
    value_a = models.CharField("value for the first code", max_length=500, blank=True)
    value_b = models.CharField("value for the second code", max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def swap_values(self) -> None:
        self.value_a, self.value_b = self.value_b, self.value_a


class Synonym(models.Model):
    """A word coders type and what it means: `CSF` -> `cerebrospinal fluid`."""

    term = models.CharField(max_length=100)
    meaning = models.CharField(max_length=200)
    history = HistoricalRecords()

    class Meta:
        ordering = ["term"]
        constraints = [
            models.UniqueConstraint(fields=["term", "meaning"], name="unique_synonym"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.meaning}"

    def clean(self):
        self.term = self.term.strip()
        self.meaning = self.meaning.strip()
        if self.term.lower() == self.meaning.lower():
            raise ValidationError("A synonym must mean something other than itself.")


class ExportRecord(models.Model):
    """Proof of one export: who made which file, when, and its sha256."""

    export_id = models.UUIDField(unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    codes = models.CharField(max_length=500, blank=True)
    filters = models.CharField(max_length=1000, blank=True)
    as_of = models.DateField(null=True, blank=True)
    format = models.CharField(max_length=10)
    sha256 = models.CharField(max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_comparison", "Can export comparisons")]

    def __str__(self) -> str:
        return f"{self.export_id} ({self.format})"


class ZeroResultQuery(models.Model):
    """A search that found nothing, so editors can add the synonym or text it needed.

    Only the normalised query text, how often it was asked and when: no user, no address.
    """

    query = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=1)
    first_seen = models.DateTimeField(auto_now_add=True)
    last_seen = models.DateTimeField()

    class Meta:
        ordering = ["-count", "-last_seen"]
        verbose_name = "search that found nothing"
        verbose_name_plural = "searches that found nothing"

    def __str__(self) -> str:
        return self.query
