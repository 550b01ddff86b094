from codes.diff import word_diff_html


def test_changed_words_are_marked_and_the_rest_kept():
    html = word_diff_html("closes the tear with sutures", "closes the tear with stitches")
    assert html == "closes the tear with <del>sutures</del><ins>stitches</ins>"


def test_a_rewritten_phrase_is_one_replacement():
    html = word_diff_html("one two three four", "one 2, 3 four")
    assert html == "one <del>two three</del><ins>2, 3</ins> four"


def test_added_and_removed_text():
    assert word_diff_html("", "new text") == "<ins>new text</ins>"
    assert word_diff_html("old text", "") == "<del>old text</del>"
    assert word_diff_html("same", "same") == "same"


def test_html_is_escaped():
    html = word_diff_html("a <b> and c", "a <i>alert(1)</i> and c")
    assert html == "a &lt;<del>b</del><ins>i&gt;alert(1)&lt;/i</ins>&gt; and c"


def test_punctuation_is_its_own_token():
    assert word_diff_html("leak, tear", "leak tear") == "leak<del>,</del> tear"


def test_a_text_rewritten_almost_whole_is_shown_replaced_whole():
    html = word_diff_html("My own rewrite of the lay description.", "The surgeon reaches the dura.")
    assert html == (
        "<del>My own rewrite of the lay description.</del><ins>The surgeon reaches the dura.</ins>"
    )
