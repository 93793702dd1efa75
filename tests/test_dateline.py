"""Datelines and dates in English, Albanian and Serbian (both scripts)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfa_nlp.ingest.dateline import parse_date, split_dateline

DATELINES = [
    ("Prishtina, 7 March 2018 – The Ministry welcomes", "2018-03-07", "Prishtina", "The Ministry welcomes"),
    ("Prishtinë, 7 mars 2018 Ministria mirëpret", "2018-03-07", "Prishtinë", "Ministria mirëpret"),
    ("Prishtinë, më 7 mars 2018 – Ministri takoi", "2018-03-07", "Prishtinë", "Ministri takoi"),
    ("Prishtine, 20 dhjetor 2019 Ministria njofton", "2019-12-20", "Prishtine", "Ministria njofton"),
    ("Tiranë, 1 nëntor 2017 - Ministri", "2017-11-01", "Tiranë", "Ministri"),
    ("Priština, 7. mart 2018. Ministar je", "2018-03-07", "Priština", "Ministar je"),
    ("Priština, 7. marta 2018. Ministar je", "2018-03-07", "Priština", "Ministar je"),
    ("Приштина, 7. март 2018. Министар је", "2018-03-07", "Приштина", "Министар је"),
    ("Приштина, 17. фебруара 2018. Министарство", "2018-02-17", "Приштина", "Министарство"),
    ("Zagreb, 7. ožujka 2018. Ministar", "2018-03-07", "Zagreb", "Ministar"),
    ("PRISTINA, 12 June 2019 (Kosova Daily) – Kosovo's", "2019-06-12", "Pristina", "Kosovo's"),
    ("New York, 23 nëntor 2016", "2016-11-23", "New York", ""),
    ("07.03.2018", "2018-03-07", None, ""),
    ("07.11.2019 Министар је", "2019-11-07", None, "Министар је"),
    ("7 March 2018 – The Minister", "2018-03-07", None, "The Minister"),
    ("March 7, 2018 — The Minister", "2018-03-07", None, "The Minister"),
]


@pytest.mark.parametrize(("text", "iso", "place", "rest"), DATELINES)
def test_dateline_split_all_languages(text: str, iso: str, place: str | None, rest: str) -> None:
    assert split_dateline(text) == (iso, place, rest)


@pytest.mark.parametrize(
    "text",
    [
        "Prishtina, 31 February 2018 – The Ministry",  # impossible date
        "Priština, 30. februara 2019. Ministar",
        "7 March 2018 marks ten years since the decision.",  # a sentence, not a dateline
        "The Ministry welcomes the decision of 7 March 2018.",
        "Kosovo, Albania and North Macedonia met today.",
    ],
)
def test_dateline_leaves_text_without_dateline(text: str) -> None:
    assert split_dateline(text) == (None, None, text)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Published: 07.03.2018", "2018-03-07"),
        ("Publikuar: 23.11.2016", "2016-11-23"),
        ("2020-10-05T09:12:44+02:00", "2020-10-05"),
        ("Posted on October 5, 2020", "2020-10-05"),
        ("më 17 shkurt 2008 Kuvendi", "2008-02-17"),
        ("dana 17. februara 2008. godine", "2008-02-17"),
        ("17 qershorit 2019", "2019-06-17"),
        ("4. новембра 2015.", "2015-11-04"),
        ("29.02.2019 and then 01.03.2019", "2019-03-01"),  # the first one is impossible
        ("no date here, only 2018", None),
        ("32 March 2018", None),
    ],
)
def test_dateline_parse_date_anywhere(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_dateline_never_crashes_and_keeps_text(text: str) -> None:
    iso, place, rest = split_dateline(text)
    if iso is None:
        assert (place, rest) == (None, text)
    else:
        assert len(iso) == 10 and rest in text


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        (
            "PRISTINA, March 7 (Reuters) – Kosovo's parliament voted.",
            "2019-03-08",
            ("2019-03-07", "Pristina", "Kosovo's parliament voted."),
        ),
        ("BRUSSELS, December 31 (AFP) - The EU said.", "2020-01-02", ("2019-12-31", "Brussels", "The EU said.")),
        ("Brussels, 7 March – The EU said.", "2020-05-02T10:00:00", ("2020-03-07", "Brussels", "The EU said.")),
        ("Prishtina, March 7, 2018 – The Ministry.", "2020-05-02", ("2018-03-07", "Prishtina", "The Ministry.")),
        ("Prishtina, March 7 was a good day.", "2020-05-02", (None, None, "Prishtina, March 7 was a good day.")),
        ("PRISTINA, March 7 (Reuters) – Kosovo.", None, (None, None, "PRISTINA, March 7 (Reuters) – Kosovo.")),
        ("PRISTINA, March 7 (Reuters) – Kosovo.", "not a date", (None, None, "PRISTINA, March 7 (Reuters) – Kosovo.")),
    ],
)
def test_dateline_without_year_takes_the_published_year(text: str, published: str | None, expected: tuple) -> None:
    """Issue 12: a news dateline without a year is dated by the document's metadata, never guessed."""
    assert split_dateline(text, published=published) == expected
