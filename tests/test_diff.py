import re
from html import unescape

from hypothesis import given
from hypothesis import strategies as st

from codes.diff import word_diff, word_diff_html


def _without_marks(html: str) -> str:
    """What a reader sees with the marks hidden: no removed words, no hidden cues, no tags."""
    html = re.sub(r"<del>.*?</del>", "", html, flags=re.S)
    html = re.sub(r'<span class="visually-hidden">[^<]*</span>', "", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_an_inserted_word_is_marked_with_ins_and_a_spoken_cue():
    html = word_diff("Repair without laminectomy", "Repair with laminectomy")
    assert '<ins><span class="visually-hidden">inserted: </span>with</ins>' in html
    assert '<del><span class="visually-hidden">removed: </span>without</del>' in html
    assert html.startswith("Repair ") and html.endswith(" laminectomy")


def test_added_and_dropped_words_are_marked_in_place():
    html = word_diff("close the dural tear", "close the small dural tear")
    assert (
        html
        == 'close the <ins><span class="visually-hidden">inserted: </span>small</ins> dural tear'
    )
    html = word_diff("close the small dural tear", "close the dural tear")
    assert html == (
        'close the <del><span class="visually-hidden">removed: </span>small</del> dural tear'
    )


def test_html_in_a_description_is_escaped():
    base, text = "<b>graft</b> & patch", '<script>alert("x")</script> & patch'
    html = word_diff(base, text)
    # The only tags left are the marks and their cues; everything else is escaped text.
    assert set(re.findall(r"</?(\w+)", html)) == {"ins", "del", "span"}
    assert "script" in html and "&lt;" in html and "&quot;x&quot;" in html
    assert unescape(_without_marks(html)) == text


def test_with_the_marks_hidden_the_text_reads_as_its_own_words():
    base = "Closure of a tear in the dura or of a leak, reached without removing a lamina."
    text = (
        "Closure of a tear in the dura, a leak or a pseudomeningocele, where a laminectomy is done."
    )
    assert _without_marks(word_diff(base, text)) == text


def test_punctuation_changes_do_not_mark_the_word_beside_them():
    html = word_diff("fluid leak, without", "fluid leak; without")
    assert "leak" not in re.findall(r"<(?:ins|del)>.*?</(?:ins|del)>", html)[0]
    assert html.startswith("fluid leak<del>")


def test_texts_worded_too_differently_are_not_marked():
    base = "The surgeon reaches the leaking dura through an existing opening"
    text = "Usually done in the first days of life, the surgeon frees the neural placode"
    assert word_diff(base, text, min_similarity=0.4) is None
    assert word_diff(base, text) is not None
    assert word_diff("Repair, without laminectomy", "Repair, with laminectomy", min_similarity=0.4)


def test_identical_texts_have_no_marks_and_keep_line_breaks():
    assert word_diff("one\ntwo", "one\ntwo") == "one\ntwo"
    assert word_diff("", "") == ""


@given(
    st.lists(
        st.sampled_from(["dura", "leak", ",", "<b>", "&", "5 cm", "lamina.", "\n"]), max_size=12
    ),
    st.lists(
        st.sampled_from(["dura", "graft", ";", "<i>", "&", "5 cm", "lamina.", "\n"]), max_size=12
    ),
)
def test_any_pair_of_texts_reads_back_as_the_second_without_marks(base_words, text_words):
    base, text = " ".join(base_words), " ".join(text_words)
    html = word_diff(base, text)
    assert set(re.findall(r"</?(\w+)", html)) <= {"ins", "del", "span"}
    assert unescape(_without_marks(html)).split() == text.split()


def _no_cues(html: str) -> str:
    return re.sub(r'<span class="visually-hidden">(inserted|removed): </span>', "", html)


def test_a_revision_marks_the_changed_words_and_keeps_the_rest():
    html = word_diff_html("closes the tear with sutures", "closes the tear with stitches")
    assert _no_cues(html) == "closes the tear with <del>sutures</del> <ins>stitches</ins>"


def test_a_revision_that_adds_or_removes_a_whole_text():
    assert _no_cues(word_diff_html("", "new text")) == "<ins>new text</ins>"
    assert _no_cues(word_diff_html("old text", "")) == "<del>old text</del>"
    assert word_diff_html("same", "same") == "same"


def test_a_revision_diff_escapes_html():
    html = _no_cues(word_diff_html("a <b> and c", "a <i>alert(1)</i> and c"))
    assert set(re.findall(r"</?(\w+)", html)) == {"ins", "del"}
    assert "<i>alert(1)</i>" in unescape(re.sub(r"<del>.*?</del>|</?ins>", "", html))


def test_a_text_rewritten_almost_whole_is_shown_replaced_whole():
    html = word_diff_html("My own rewrite of the lay description.", "The surgeon reaches the dura.")
    assert _no_cues(html) == (
        "<del>My own rewrite of the lay description.</del> <ins>The surgeon reaches the dura.</ins>"
    )
