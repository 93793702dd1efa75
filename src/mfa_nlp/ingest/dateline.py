"""Dates and datelines in English, Albanian and Serbian (Latin and Cyrillic).

A dateline is the place and date that open a statement ("Prishtinë, 7 mars 2018 –",
"Приштина, 7. март 2018."). :func:`split_dateline` reads one at the start of a text
and returns it separately; :func:`parse_date` finds the first valid date anywhere.
One table of month names serves every language; dates are returned as ISO strings.
"""

from __future__ import annotations

import datetime as _dt
import re

#: Month number -> the forms used for it (nominative, genitive/definite, abbreviations),
#: English, Albanian (with and without ë), Serbian Latin/Cyrillic, Croatian.
_MONTH_FORMS: dict[int, tuple[str, ...]] = {
    1: (
        "january",
        "jan",
        "janar",
        "janarit",
        "januar",
        "januara",
        "јануар",
        "јануара",
        "siječanj",
        "siječnja",
        "sijecanj",
        "sijecnja",
    ),
    2: (
        "february",
        "feb",
        "shkurt",
        "shkurtit",
        "februar",
        "februara",
        "фебруар",
        "фебруара",
        "veljača",
        "veljače",
        "veljaca",
        "veljace",
    ),
    3: ("march", "mar", "mars", "marsit", "mart", "marta", "март", "марта", "ožujak", "ožujka", "ozujak", "ozujka"),
    4: ("april", "apr", "prill", "prillit", "aprila", "април", "априла", "travanj", "travnja"),
    5: ("may", "maj", "majit", "maja", "мај", "маја", "svibanj", "svibnja"),
    6: ("june", "jun", "qershor", "qershorit", "juna", "juni", "јун", "јуна", "lipanj", "lipnja"),
    7: ("july", "jul", "korrik", "korrikut", "jula", "juli", "јул", "јула", "srpanj", "srpnja"),
    8: (
        "august",
        "aug",
        "gusht",
        "gushtit",
        "avgust",
        "avgusta",
        "augusta",
        "август",
        "августа",
        "kolovoz",
        "kolovoza",
    ),
    9: (
        "september",
        "sep",
        "sept",
        "shtator",
        "shtatorit",
        "septembar",
        "septembra",
        "септембар",
        "септембра",
        "rujan",
        "rujna",
    ),
    10: ("october", "oct", "tetor", "tetorit", "oktobar", "oktobra", "октобар", "октобра", "listopad", "listopada"),
    11: (
        "november",
        "nov",
        "nëntor",
        "nëntorit",
        "nentor",
        "nentorit",
        "novembar",
        "novembra",
        "новембар",
        "новембра",
        "studeni",
        "studenoga",
        "studenog",
    ),
    12: (
        "december",
        "dec",
        "dhjetor",
        "dhjetorit",
        "decembar",
        "decembra",
        "децембар",
        "децембра",
        "prosinac",
        "prosinca",
    ),
}
MONTHS: dict[str, int] = {form: num for num, forms in _MONTH_FORMS.items() for form in forms}

_MONTH = r"(?P<{name}>[^\W\d_]{{3,10}})\.?"
_DAY = r"(?P<{name}>[0-3]?\d)"
_YEAR = r"(?P<{name}>(?:19|20)\d\d)"
_SEP = r"[ \t\u00a0]*"

# Each pattern names its groups d, m (word or number) and y.
_DATE_PATTERNS = [
    # 7 March 2018 / 7. mart 2018. / 7-ti mars 2018 / 7 e mars
    rf"{_DAY.format(name='d')}(?:\.|-?(?:th|st|nd|rd|të|ti))?{_SEP}(?:e{_SEP})?{_MONTH.format(name='mw')},?{_SEP}{_YEAR.format(name='y')}\.?",
    # March 7, 2018
    rf"{_MONTH.format(name='mw')}{_SEP}{_DAY.format(name='d')}(?:th|st|nd|rd)?,?{_SEP}{_YEAR.format(name='y')}",
    # 07.03.2018 / 7.3.2018. / 07/03/2018
    rf"{_DAY.format(name='d')}[./]{_SEP}(?P<mn>[01]?\d)[./]{_SEP}{_YEAR.format(name='y')}\.?",
    # 2018-03-07 (ISO, also inside datetime attributes)
    rf"{_YEAR.format(name='y')}-(?P<mn>[01]\d)-{_DAY.format(name='d')}",
]
_DATE_RES = [re.compile(r"(?<![\w.])" + p + r"(?:(?=T\d\d:)|(?!\w))", re.IGNORECASE) for p in _DATE_PATTERNS]

# Place: one to four capitalised words (Latin or Cyrillic), e.g. "Prishtinë", "New York",
# "Beograd", "Приштина", "PRISHTINË".
_PLACE = r"(?P<place>[A-ZÇËŠŽĐČĆА-ЯЂЈЉЊЋЏ][\w'’.-]*(?:[ \u00a0][A-ZÇËŠŽĐČĆА-ЯЂЈЉЊЋЏ][\w'’-]*){0,3})"
_LEAD = r"^\s*(?:\(?(?:Press release|Komunikatë për shtyp|Saopštenje|Саопштење)\)?\s*[:\-–—]?\s*)?"
_TAIL_SEP = r"\s*(?:\([^()\n]{1,40}\)\s*)?(?:[-–—:|]+\s*)?"
_ON = r"(?:(?:më|on|dana|дана)\s+)?"


def _to_iso(day: str, month: str | int, year: str) -> str | None:
    """Return ``YYYY-MM-DD`` for valid parts, else None (impossible dates are rejected)."""
    if isinstance(month, str):
        num = MONTHS.get(month.lower()) if not month.isdigit() else int(month)
        if num is None:
            return None
    else:
        num = month
    try:
        return _dt.date(int(year), num, int(day)).isoformat()
    except ValueError:
        return None


def _match_iso(m: re.Match[str]) -> str | None:
    gd = m.groupdict()
    month = gd.get("mw") or gd.get("mn")
    return _to_iso(gd["d"], month, gd["y"]) if month else None


def parse_date(text: str) -> str | None:
    """Return the first valid date in ``text`` as ``YYYY-MM-DD``, or None.

    >>> parse_date("Published: 07.03.2018")
    '2018-03-07'
    >>> parse_date("Приштина, 7. марта 2018.")
    '2018-03-07'
    >>> parse_date("31.02.2018") is None
    True
    """
    best: tuple[int, str] | None = None
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            iso = _match_iso(m)
            if iso and (best is None or m.start() < best[0]):
                best = (m.start(), iso)
                break
    return best[1] if best else None


def _find_date_at(text: str, pos: int) -> tuple[str, int, bool] | None:
    """A valid date starting exactly at ``pos``: (iso, end offset, is_numeric)."""
    for i, rx in enumerate(_DATE_RES):
        m = rx.match(text, pos)
        if m:
            iso = _match_iso(m)
            if iso:
                return iso, m.end(), i >= 2
    return None


def _clean_place(place: str) -> str:
    place = place.strip(" ,.")
    if place.isupper() and len(place) > 3:
        place = " ".join(w.capitalize() for w in place.split())
    return place


# A news-agency dateline without a year: "PRISTINA, March 7 (Reuters) –", "Brussels, 7 March –".
_NO_YEAR = [
    re.compile(
        rf"{_MONTH.format(name='mw')}{_SEP}{_DAY.format(name='d')}(?:th|st|nd|rd)?(?![\w,.]*{_SEP}\d)", re.I
    ),
    re.compile(rf"{_DAY.format(name='d')}(?:\.|-?(?:th|st|nd|rd|të|ti))?{_SEP}{_MONTH.format(name='mw')}\b", re.I),
]
_NO_YEAR_TAIL = re.compile(r"\s*(?:\([^()\n]{1,40}\)\s*)?[-–—:|]+\s*")
#: A yearless dateline up to this many days after the publication date belongs to the year before
#: ("December 31" on a page published on 2 January).
_YEAR_SLACK_DAYS = 31


def _yearless(text: str, pos: int, published: str) -> tuple[str, int] | None:
    """A "March 7" / "7 March" date at ``pos`` followed by an agency and a dash, dated by ``published``."""
    try:
        pub = _dt.date.fromisoformat(published[:10])
    except ValueError:
        return None
    for rx in _NO_YEAR:
        m = rx.match(text, pos)
        if not m:
            continue
        tail = _NO_YEAR_TAIL.match(text, m.end())
        iso = _to_iso(m.group("d"), m.group("mw"), str(pub.year))
        if tail is None or iso is None:
            continue
        if _dt.date.fromisoformat(iso) > pub + _dt.timedelta(days=_YEAR_SLACK_DAYS):
            iso = _to_iso(m.group("d"), m.group("mw"), str(pub.year - 1))
        if iso:
            return iso, tail.end()
    return None


def split_dateline(text: str, *, published: str | None = None) -> tuple[str | None, str | None, str]:
    """Split a leading dateline off ``text``: (iso_date, place, text_without_dateline).

    Recognises "Place, date –", "Place, më date", "date –" and a date alone on the
    first line. With ``published`` (the document's date from its metadata, ISO), a news
    dateline without a year ("PRISTINA, March 7 (Reuters) –") takes that year. Text
    without a dateline comes back unchanged with (None, None, text).

    >>> split_dateline("Prishtinë, më 7 mars 2018 – Ministri takoi ambasadorin.")
    ('2018-03-07', 'Prishtinë', 'Ministri takoi ambasadorin.')
    >>> split_dateline("Priština, 7. marta 2018. Ministar je primio ambasadora.")
    ('2018-03-07', 'Priština', 'Ministar je primio ambasadora.')
    >>> split_dateline("PRISTINA, March 7 (Reuters) – Kosovo's parliament voted.", published="2019-03-08")
    ('2019-03-07', 'Pristina', "Kosovo's parliament voted.")
    """
    lead = re.match(_LEAD, text)
    start = lead.end() if lead else 0
    # Place, [më] date
    m = re.compile(_PLACE + r"\s*,\s*" + _ON, re.UNICODE).match(text, start)
    if m:
        found = _find_date_at(text, m.end())
        if found:
            iso, end, _ = found
            rest = re.sub("^" + _TAIL_SEP, "", text[end:], count=1)
            return iso, _clean_place(m.group("place")), rest.lstrip(" ,.\u00a0\n")
        yearless = _yearless(text, m.end(), published) if published else None
        if yearless:
            return yearless[0], _clean_place(m.group("place")), text[yearless[1] :].lstrip()
    # date [, Place] followed by a separator or end of line
    found = _find_date_at(text, start)
    if found:
        iso, end, numeric = found
        place = None
        pm = re.compile(r"\s*,\s*" + _PLACE + r"(?=\s*(?:[-–—:|]|\n|$))").match(text, end)
        if pm:
            place, end = _clean_place(pm.group("place")), pm.end()
        tail = re.match(r"\s*(?:[-–—:|]+|\n|$)\s*", text[end:])
        if tail is None and numeric:
            # "07.11.2019 Ministri ..." - a numeric date does not open a sentence.
            tail = re.match(r"\s+(?=[^\W\d_])", text[end:])
        if tail:
            return iso, place, text[end + tail.end() :].lstrip()
    return None, None, text


__all__ = ["MONTHS", "parse_date", "split_dateline"]
