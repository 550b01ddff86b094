"""The data model: code systems, codes, curated comparison notes, synonyms, export records."""

import re
import uuid
from datetime import timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, Case, F, Q, Value, When
from django.db.models.functions import Coalesce
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

BASELINE_REASON = "As it was before its first edit in coderef (it came in without history)"


class StaleEditError(Exception):
    """Raised when a save is based on a version somebody else has already replaced."""

    def __init__(self, obj: models.Model, expected: int, current: int | None) -> None:
        self.obj = obj
        self.expected = expected
        self.current = current
        super().__init__(
            f"{capfirst(obj._meta.verbose_name)} {obj} was changed by someone else "
            f"(you edited version {expected}, it is now version {current}). Nothing was saved."
        )


class History(HistoricalRecords):
    """django-simple-history, with an index to walk one row's revisions in date order
    (the revision before another, a row's timeline, what changed since a version)."""

    def get_meta_options(self, model: type[models.Model]) -> dict[str, Any]:
        options = super().get_meta_options(model)
        row_in_date_order = models.Index(fields=[model._meta.pk.attname, "history_date"])
        options["indexes"] = (*options.get("indexes", ()), row_in_date_order)
        return options


class VersionedModel(models.Model):
    """A row whose `version` goes up on every save; a save from an older version is refused.

    The check is one conditional UPDATE that also locks the row, so of two concurrent saves of
    the same version the second finds no row with its version and fails. Baselines, reasons and
    flags are the write services' (codes.services): this check is all a save does itself.
    """

    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding or self.pk is None:
            return super().save(*args, **kwargs)
        if kwargs.get("update_fields") is not None:
            # Else the history would record the new version while the row kept the old one.
            kwargs["update_fields"] = {*kwargs["update_fields"], "version", "updated_at"}
        with transaction.atomic(using=kwargs.get("using")):
            manager = type(self)._default_manager
            # Same value written back: the row is locked and the stored version checked.
            if not manager.filter(pk=self.pk, version=self.version).update(version=F("version")):
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
    history = History()

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            re.compile(self.code_pattern)
        except re.error as exc:
            raise ValidationError(
                {"code_pattern": f"Not a valid regular expression: {exc}"}
            ) from exc

    def matches(self, code: str) -> bool:
        return re.fullmatch(self.code_pattern, code) is not None

    def normalize_code(self, raw: str) -> str:
        """A code as this system stores it: trimmed, upper case, and where the system writes a
        dot after the category (ICD-10-CM), with that dot (`e1165` -> `E11.65`)."""
        code = raw.strip().upper()
        if "." in self.code_pattern and "." not in code and len(code) > 3:
            dotted = f"{code[:3]}.{code[3:]}"
            if self.matches(dotted):
                return dotted
        return code


def code_url(system_slug: str, code: str) -> str:
    """The page of a code: `reverse("codes:code-detail", ...)`, built from the pattern reversed
    once per script prefix (pages list many codes, and a search's are new ones each time)."""
    before, between, after = _code_path_parts(get_script_prefix())
    return f"{before}{_quote(system_slug)}{between}{_quote(code)}{after}"


def _quote(part: str) -> str:
    # As `reverse` quotes what it puts in a path.
    return quote(part, safe=RFC3986_SUBDELIMS + "~:@")


@lru_cache(maxsize=8)
def _code_path_parts(script_prefix: str) -> tuple[str, str, str]:
    # The URLconf is fixed; `reverse` reads the script prefix, which is therefore the key.
    path = reverse("codes:code-detail", args=["system-slug", "CODE"])
    before, _, rest = path.rpartition("/system-slug/")
    between, _, after = rest.rpartition("CODE")
    return f"{before}/", f"/{between}", after


class Code(VersionedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        DELETED = "deleted", "Deleted"

    system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="codes")
    code = models.CharField(max_length=16)
    title = models.TextField(help_text="The descriptor coders read first (short or full title).")

    class DescriptorKind(models.TextChoices):
        OFFICIAL = "official", "Official descriptor"
        PARAPHRASE = "paraphrase", "Descriptor in our own words (not the official text)"

    descriptor = models.TextField(blank=True, help_text="The long descriptor.")
    descriptor_kind = models.CharField(
        "the descriptor is",
        max_length=10,
        choices=DescriptorKind.choices,
        default=DescriptorKind.OFFICIAL,
        help_text="Whether the descriptor is the code set's official text or the "
        "organisation's paraphrase (as for CPT, whose official texts are licensed).",
    )
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
    instructional_notes = models.TextField(
        blank=True,
        help_text=(
            "Excludes1/Excludes2, code first, use additional code and code also notes, "
            "one per line, each starting with its kind."
        ),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    effective_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    texts_changed_at = models.DateTimeField(
        null=True,
        editable=False,
        help_text="When a text coders read (title, descriptors, inclusion terms) last changed.",
    )
    lay_review = models.CharField(
        "lay description to review",
        max_length=200,
        blank=True,
        help_text="Set by a release that revised the official text of a code with a lay "
        "description; cleared when an editor changes the lay description, or empty it here "
        "once the lay text is checked.",
    )
    history = History(excluded_fields=["texts_changed_at", "lay_review"])

    # Not a column: the release whose official texts this instance carries instead of today's
    # (a comparison column `I71.51@FY2023`, see `selectors.codes_for_tokens`); None: today's.
    release_label: str | None = None

    SECTION_SEPARATOR = " > "
    # A change to one of these may make the comparison notes naming the code wrong.
    TEXT_FIELDS = ("title", "descriptor", "lay_description", "inclusion_terms")

    class Meta:
        ordering = ["system__position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["system", "code"], name="unique_code_per_system"),
        ]
        indexes = [
            # The previous and next code of a section (the code page): without it, the last code
            # of a section scans the rest of its system for a following code that is not there.
            models.Index(fields=["system", "section_path", "code"], name="codes_code_in_section"),
        ]

    def __str__(self) -> str:
        return self.code

    def get_absolute_url(self) -> str:
        return code_url(self.system.slug, self.code)

    @property
    def sections(self) -> list[str]:
        return [part for part in self.section_path.split(self.SECTION_SEPARATOR) if part]

    @property
    def is_deleted(self) -> bool:
        return self.status == self.Status.DELETED

    def clean(self) -> None:
        self.code = (self.code or "").strip().upper()
        errors = {}
        if self.system_id and not self.system.matches(self.code):
            errors["code"] = f"{self.code!r} is not a valid {self.system.name} code."
        if self.end_date and self.effective_date and self.end_date < self.effective_date:
            errors["end_date"] = "The end date is before the effective date."
        elif self.status == self.Status.DELETED and not self.end_date:
            errors["end_date"] = (
                "A deleted code needs an end date: the last date it could be reported."
            )
        if errors:
            raise ValidationError(errors)


class Release(models.Model):
    """One release of a code set as an import recorded it: when it took effect, the file it came
    from, and its counts; `ReleaseCode` rows name the codes it added, revised and deleted.

    A release imported after a newer one (`historical`) sits in the timeline without having
    changed the codes' current texts.
    """

    system = models.ForeignKey(CodeSystem, on_delete=models.PROTECT, related_name="releases")
    label = models.CharField(max_length=32, help_text="FY2026, 2019, 2019-Q1 ...")
    effective_date = models.DateField()
    source_name = models.CharField(max_length=200)
    source_sha256 = models.CharField(max_length=64)
    added = models.PositiveIntegerField(default=0)
    revised = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    historical = models.BooleanField(
        default=False, help_text="Imported after a newer release: today's texts were kept."
    )
    # The first release of a system that had no codes: its codes are its starting point, not
    # listed one by one as added.
    baseline = models.BooleanField(default=False)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["system__position", "-effective_date", "-imported_at"]
        constraints = [
            models.UniqueConstraint(fields=["system", "label"], name="unique_release_label"),
        ]

    def __str__(self) -> str:
        return f"{self.system.name} {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("codes:release-detail", args=[self.system.slug, self.label])


class ReleaseCode(models.Model):
    """A code one release added, revised (its official texts before and after) or deleted."""

    class Kind(models.TextChoices):
        ADDED = "added", "added"
        REVISED = "revised", "revised"
        DELETED = "deleted", "deleted"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="changes")
    code = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="release_changes")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    old_title = models.TextField(blank=True)
    new_title = models.TextField(blank=True)
    old_descriptor = models.TextField(blank=True)
    new_descriptor = models.TextField(blank=True)

    class Meta:
        ordering = ["release", "code__code"]
        constraints = [
            models.UniqueConstraint(fields=["release", "code"], name="unique_release_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.kind} in {self.release}"


class ComparisonNoteQuerySet(models.QuerySet):
    def with_review_flag(self) -> "ComparisonNoteQuerySet":
        """Annotate `review_flag`: True when a text of either code changed after the note was
        last reviewed, or, for a note never reviewed, after the note was last saved."""
        reviewed = Coalesce("reviewed_at", "updated_at")
        changed = Q(code_a__texts_changed_at__gt=reviewed) | Q(
            code_b__texts_changed_at__gt=reviewed
        )
        return self.annotate(
            review_flag=Case(
                When(changed, then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )


class ComparisonNote(VersionedModel):
    """How two look-alike codes differ. The pair is unordered; it is stored in code order."""

    code_a = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="+")
    code_b = models.ForeignKey(Code, on_delete=models.PROTECT, related_name="+")
    summary = models.CharField(max_length=300, help_text="The distinction in one line.")
    body = models.TextField(blank=True)
    source = models.CharField(
        max_length=300, blank=True, help_text="Where the distinction comes from."
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # A review is not an edit of the note: it bumps no version and writes no revision.
    history = History(excluded_fields=["reviewed_at", "reviewed_by"])

    objects = ComparisonNoteQuerySet.as_manager()

    class Meta:
        ordering = ["code_a__code", "code_b__code"]
        constraints = [
            models.UniqueConstraint(fields=["code_a", "code_b"], name="unique_note_pair"),
            models.CheckConstraint(condition=~Q(code_a=F("code_b")), name="note_codes_distinct"),
        ]

    def __str__(self) -> str:
        return f"{self.code_a} vs {self.code_b}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.put_pair_in_order()
        return super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # The presenters read through the selectors, which import these models.
        from codes.presenters import note_url

        return note_url(self)

    @property
    def needs_review(self) -> bool:
        """See `ComparisonNoteQuerySet.with_review_flag`; free when the note was loaded with it."""
        if hasattr(self, "review_flag"):
            return self.review_flag
        notes = type(self).objects.with_review_flag().filter(pk=self.pk)
        return notes.values_list("review_flag", flat=True).get()

    def put_pair_in_order(self) -> bool:
        """Store the pair in canonical (system, code) order; True when it was swapped."""
        if not (self.code_a_id and self.code_b_id):
            return False
        a, b = self.code_a, self.code_b
        if (a.system.position, a.system.slug, a.code) > (b.system.position, b.system.slug, b.code):
            self.code_a, self.code_b = b, a
            return True
        return False

    def clean(self) -> None:
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
    history = History()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.label

    def swap_values(self) -> None:
        self.value_a, self.value_b = self.value_b, self.value_a


class Synonym(VersionedModel):
    """A terminology entry: what a coder types and what it stands for in the classification.

    Three kinds: a word-level synonym, found both ways (`CSF` <-> `cerebrospinal fluid`); a
    translation of a lay or older phrase into the classification's words, one way (`heart attack`
    -> `myocardial infarction`); an index entry, index-style words pointing at a code or a code
    family (`attack, heart` -> I21.9). Each names where it came from; an imported entry an editor
    changed or switched off keeps its `imported_key`, so importing the list again leaves it alone.
    """

    class Kind(models.TextChoices):
        SYNONYM = "synonym", "synonym"
        TRANSLATION = "translation", "lay term"
        INDEX = "index", "index entry"

    class Source(models.TextChoices):
        EDITOR = "editor", "editor"
        STARTER = "starter", "starter list"
        IMPORT = "import", "imported file"

    term = models.CharField(max_length=100)
    meaning = models.CharField(
        max_length=200, help_text="The words it stands for; for an index entry, a code or family."
    )
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SYNONYM)
    note = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.EDITOR)
    source_file = models.CharField(max_length=100, blank=True)
    release = models.CharField(max_length=50, blank=True)
    enabled = models.BooleanField(
        default=True, help_text="Switched off, search ignores it and a re-import leaves it off."
    )
    # The entry as its import wrote it (its words); empty for an editor's own entry.
    imported_key = models.CharField(max_length=320, blank=True, editable=False)
    history = History()

    class Meta:
        ordering = ["term"]
        verbose_name = "terminology entry"
        verbose_name_plural = "terminology entries"
        constraints = [
            models.UniqueConstraint(fields=["term", "meaning"], name="unique_synonym"),
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.meaning}"

    @property
    def source_label(self) -> str:
        """Where the entry came from, as the search's "why it matched" says it."""
        if self.source != self.Source.IMPORT:
            return str(self.Source(self.source).label)
        return " ".join(part for part in (self.source_file, self.release) if part) or "imported"

    def clean(self) -> None:
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
    # Kept as stamped in the file, should the user be renamed or removed later.
    username = models.CharField(max_length=150, blank=True)
    # The moment stamped in the file, to the microsecond.
    created_at = models.DateTimeField(default=timezone.now)
    codes = models.CharField(max_length=500, blank=True)
    filters = models.CharField(max_length=1000, blank=True)
    as_of = models.DateField(null=True, blank=True)
    # The releases whose official texts the file shows instead of today's ("ICD-10-CM FY2023").
    releases = models.CharField(max_length=500, blank=True)
    format = models.CharField(max_length=10)
    filename = models.CharField(max_length=200, blank=True)
    app_version = models.CharField(max_length=50, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    row_count = models.PositiveIntegerField(default=0, help_text="One per code per comparison.")

    class Meta:
        ordering = ["-created_at"]
        permissions = [("export_comparison", "Can export comparisons")]

    def __str__(self) -> str:
        return f"{self.export_id} ({self.format})"


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def _cutoff(self) -> Any:
        return timezone.now() - timedelta(hours=settings.EXPORT_FILE_HOURS)

    def live(self) -> "ExportJobQuerySet":
        """Jobs younger than EXPORT_FILE_HOURS, whose files may be downloaded."""
        return self.filter(created_at__gte=self._cutoff())

    def expired(self) -> "ExportJobQuerySet":
        """Jobs older than EXPORT_FILE_HOURS: their files are gone for users."""
        return self.filter(created_at__lt=self._cutoff())


class ExportJob(models.Model):
    """A list export made in the background (a django-tasks task): how far it is, then the
    file, which only the user who asked (or a superuser) downloads, until it expires."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    format = models.CharField(max_length=10)
    paper = models.CharField(max_length=10, default="a4")
    # The list's filters as the export form cleaned them (`ComparisonFilterForm.filters()`), as
    # [name, value] pairs: their order is the stamp's ("matching system=cpt, code=63709"), and
    # PostgreSQL's jsonb would reorder the keys of an object.
    filters = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="Comparisons to render.")
    done = models.PositiveIntegerField(default=0, help_text="Comparisons rendered so far.")
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    record = models.OneToOneField(
        ExportRecord, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The file itself: a few MB at most (a PDF of 1,000 comparisons), kept for a day.
    data = models.BinaryField(null=True, editable=False)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.pk} ({self.format}, {self.status})"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def in_progress(self) -> bool:
        """Queued or running, and not given up for lost: its page keeps asking how far it is."""
        return not self.finished and not self.stalled

    @property
    def stalled(self) -> bool:
        """Running for longer than any export may: its worker was killed, it will not end."""
        allowed = timedelta(seconds=settings.EXPORT_TIME_LIMIT_SECONDS + 300)
        return (
            self.status == self.Status.RUNNING
            and self.started_at is not None
            and timezone.now() - self.started_at > allowed
        )


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


class SearchToken(models.Model):
    """The content token: one row whose token database triggers replace with a random number
    whenever a committed change touches codes, synonyms, code systems (migration
    0012_search_token), comparison notes, differentiators or the codebook's reference data
    (0022_content_token_triggers). Search results, page parts and API documents are cached under
    it (codes.cache): an edit shows at once, in every app process.
    """

    token = models.BigIntegerField()

    def __str__(self) -> str:
        return str(self.token)


class Favourite(models.Model):
    """A code or a comparison one user starred. Private to that user: no page, API or admin
    screen shows one user's favourites to another (the admin sees counts only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(
        Code, null=True, blank=True, on_delete=models.CASCADE, related_name="favourites"
    )
    comparison = models.CharField(
        max_length=300, blank=True, help_text="The comparison's codes as its URL names them."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "code"],
                condition=Q(code__isnull=False),
                name="unique_favourite_code",
            ),
            models.UniqueConstraint(
                fields=["user", "comparison"],
                condition=~Q(comparison=""),
                name="unique_favourite_comparison",
            ),
            models.CheckConstraint(
                condition=(Q(code__isnull=False) & Q(comparison=""))
                | (Q(code__isnull=True) & ~Q(comparison="")),
                name="favourite_code_or_comparison",
            ),
        ]

    def __str__(self) -> str:
        return str(self.code) if self.code_id else self.comparison


class RecentCode(models.Model):
    """A code one user opened, and when last; the newest few are kept per user."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="recent_openings")
    opened_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "code"], name="unique_recent_code"),
        ]
        indexes = [models.Index(fields=["user", "-opened_at"], name="recent_code_by_user")]

    def __str__(self) -> str:
        return str(self.code)


class SearchPreference(models.Model):
    """The code systems one coder searches by default (the search page's "My systems"); none
    stored: every system. Private to the user, as favourites are."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="search_preference"
    )
    systems = models.ManyToManyField(CodeSystem, related_name="+")

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(system.slug for system in self.systems.all())}"


# The codebook's reference tables live in their own module; importing it here registers them.
import codes.codebook.models  # noqa: E402, F401
