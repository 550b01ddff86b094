"""Reading word marks in tests: drop the screen-reader cues and the space between a <del> and
the <ins> that replaces it, so an assertion can name the marked words plainly."""

import re


def plain_marks(html: str) -> str:
    html = re.sub(r'<span class="visually-hidden">(inserted|removed): </span>', "", html)
    return html.replace("</del> <ins>", "</del><ins>")
