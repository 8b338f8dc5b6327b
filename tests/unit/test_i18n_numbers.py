"""Numbers in the authoring texts are written the reader's way: 15,4 in Danish, 15.4 in
English (the scenario check, the balance report and the editor's problem list)."""

from __future__ import annotations

from app.i18n import msg, number, tr


def test_danish_has_a_decimal_comma_thousands_points_and_a_space_before_per_cent() -> None:
    assert tr("da", "{n:.1f} points", n=15.4) == "15,4 point"
    assert tr("en", "{n:.1f} points", n=15.4) == "15.4 points"
    assert tr("da", "{share:.0%} of games", share=0.64) == "64\N{NO-BREAK SPACE}% af spillene"
    assert tr("en", "{share:.0%} of games", share=0.64) == "64% of games"
    assert number("da", 12345.5, ",.1f") == "12.345,5"
    assert number("en", 12345.5, ",.1f") == "12,345.5"


def test_only_numbers_change_not_the_text_around_them() -> None:
    # Ids, titles and words passed in keep their full stops and commas; so do booleans.
    said = msg("unknown idea '{id}'", id="a.b,c").render("da")
    assert "'a.b,c'" in said
    assert number("da", True, "") == "True"
    assert number("da", 3, "") == "3"
