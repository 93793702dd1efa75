"""Find recognition and membership events in one tagged passage (the rules are in :mod:`.rules`).

The passage is folded (see :func:`mfa_nlp.translit.fold`) with a map back to the original
characters, cut into sentences, and every predicate trigger is tied to the nearest list of
STATE (or ORG) entities the entity stage found in its sentence.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass

from ..document import Document, Passage
from ..ingest.dateline import MONTHS, parse_date
from ..translit import fold
from .rules import (
    CAPITAL_RE,
    CAPITALS,
    CLAUSE_BREAK,
    COMPILED,
    CONFIDENCE,
    CONTINUATION,
    FUTURE_SUFFIX,
    LIST_GAP,
    MEMBERSHIP_CUE,
    MEMBERSHIP_KINDS,
    NON_ACTOR_STATES,
    NON_MEMBERSHIP_ORGS,
    PARENT_ORG,
    PRESUPPOSED,
    TOGETHER,
    WEAK_TRIGGER,
)

#: How far (characters of folded text) an entity list may sit from its trigger.
MAX_DISTANCE = 160
#: Extra distance for an organisation before a membership trigger, and for a list in another clause.
PREFER_AFTER, OTHER_CLAUSE = 30, 50
#: Kinds whose organisation must follow the trigger ("applied for membership of X", "joined X").
ORG_AFTER = frozenset({"membership_applied", "membership_joined"})
#: Kinds for which a capital city stands for its state ("opened its embassy in Riyadh").
CITY_KINDS = frozenset({"embassy_opened", "diplomatic_relations"})
#: Words before a trigger in which a negation or modality cue cancels it (a vote: "will not put it to a vote").
NEG_WINDOW, MODAL_WINDOW, VOTE_NEG_WINDOW = 4, 25, 6
#: Words after a vote in which a hypothetical cue cancels it ("a failed vote would only help").
VOTE_AFTER_WINDOW = 8

_ABBREV = re.compile(r"(?:\b(?:mr|mrs|ms|dr|prof|st|g|gj|amb|h\.e|no|nr|br|tj|sh|etc|tzv|тзв|zv)|\b[a-z])$")
_SENT_END = re.compile(r"[.!?]+[\"'”»)]*\s+(?=[\"'“«(]?[^\W\d_]*[A-ZÀ-ÞĀ-ŽА-ЯЂ-Џ])|\n+")


@dataclass
class Mention:
    """One event as one passage reports it (a row of the unaggregated ledger)."""

    kind: str
    state: str | None
    org: str | None
    claimant: str | None
    event_date: str | None
    doc_date: str | None
    doc_id: str
    source: str
    passage: int
    lang: str | None
    script: str | None
    evidence: str
    start: int
    end: int
    trigger: str
    confidence: float
    history: bool = False

    def to_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


def _fold_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        f = fold(ch) if not ch.isascii() else ch.lower()
        out.append(f)
        index.extend([i] * len(f))
    index.append(len(text))
    return "".join(out), index


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of the original text."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        head = text[start : m.start()].lower()
        if m.group().strip() and _ABBREV.search(head):
            continue  # "Mr. Pacolli", "g. Aškenazi": not a sentence end
        spans.append((start, m.end()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s, e) for s, e in spans if text[s:e].strip()]


_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_MONTH_YEAR = re.compile(r"\b([^\W\d_]{3,10})\.?\s+((?:19|20)\d\d)\b")


def _event_date(sentence: str, folded: str, lang: str, doc_date: str | None) -> str | None:
    """The date the sentence gives for its event: a full date, a month and year, a year, or today."""
    full = parse_date(sentence)
    if full:
        return full
    for m in _MONTH_YEAR.finditer(sentence):
        month = MONTHS.get(m.group(1).lower()) or MONTHS.get(fold(m.group(1)))
        if month:
            return f"{m.group(2)}-{month:02d}"
    year = _YEAR.search(sentence)
    if year:
        return year.group(1)
    cues = COMPILED[lang]
    if doc_date and cues["today"].search(folded):  # type: ignore[union-attr]
        return doc_date
    if doc_date and cues["yesterday"].search(folded):  # type: ignore[union-attr]
        return (_dt.date.fromisoformat(doc_date) - _dt.timedelta(days=1)).isoformat()
    return None


_SEGMENT_BREAK = re.compile(
    r";|,\s+(?:and|while|whereas|but|dhe|ndersa|por|kurse|a|i|ali|dok)\b|\s(?:and|dhe)\s+(?=in\s|ne\s)"
)


def _segment(folded: str, fs: int, fe: int, ts: int, te: int) -> tuple[int, int]:
    """The part of the sentence between the clause breaks around a trigger (where its date is)."""
    start, end = fs, fe
    for m in _SEGMENT_BREAK.finditer(folded, fs, fe):
        if m.end() <= ts:
            start = m.end()
        elif m.start() >= te:
            end = m.start()
            break
    return start, end


def _groups(ents: list[tuple[int, int, str]], folded: str) -> list[list[tuple[int, int, str]]]:
    """Entities in a row with only list words between them ("Ghana, Togo and Suriname") form one group."""
    groups: list[list[tuple[int, int, str]]] = []
    for ent in sorted(ents):
        if groups and LIST_GAP.match(folded[groups[-1][-1][1] : ent[0]]):
            groups[-1].append(ent)
        else:
            groups.append([ent])
    return groups


def _window(folded: str, start: int, end: int, words: int) -> str:
    """The last ``words`` words of folded[start:end], cut at a clause break."""
    text = folded[start:end]
    breaks = list(CLAUSE_BREAK.finditer(text))
    if breaks:
        text = text[breaks[-1].end() :]
    return " ".join(text.split()[-words:]) + " "


def _after(folded: str, start: int, end: int, words: int) -> str:
    """The first ``words`` words of folded[start:end], cut at a clause break."""
    text = folded[start:end]
    cut = CLAUSE_BREAK.search(text)
    if cut:
        text = text[: cut.start()]
    return " " + " ".join(text.split()[:words]) + " "


def _antecedent(
    ents: list[tuple[int, int, str, str]], folded: str, before: int, label: str, excluded: frozenset[str]
) -> list[str]:
    """The ids of the last group of ``label`` entities that ends before ``before`` (the referent of "its")."""
    prior = [(a, b, i) for a, b, lab, i in ents if lab == label and b <= before]
    for group in reversed(_groups(prior, folded)):
        ids = [i for _, _, i in group if i not in excluded]
        if ids:
            return ids
    return []


def passage_mentions(doc: Document, passage: Passage) -> list[Mention]:
    """Every event the rules find in one passage (the gate is applied by the caller).

    >>> from mfa_nlp.document import Entity
    >>> p = Passage(0, "Barbados recognised Kosovo.", lang="en",
    ...             entities=[Entity("Barbados", "STATE", "BRB", 0, 8), Entity("Kosovo", "STATE", "XKX", 20, 26)])
    >>> [(m.kind, m.state) for m in passage_mentions(Document("d", "x.txt", "txt"), p)]
    [('recognised', 'BRB')]
    """
    lang = passage.lang if passage.lang in COMPILED else None
    if lang is None:
        return []
    cues = COMPILED[lang]
    folded, index = _fold_map(passage.text)
    to_folded = {}
    for fi, oi in enumerate(index):
        to_folded.setdefault(oi, fi)
    ents = [
        (to_folded.get(e.start, 0), to_folded.get(e.end, len(folded)), e.label, e.id)
        for e in passage.entities
        if e.id and e.label in ("STATE", "ORG")
    ]
    denied_passage = bool(cues["denial"].search(folded))  # type: ignore[union-attr]
    # "contrary to claims made in Belgrade": a claim is answered, but not (in these words) denied
    contrast_passage = bool(cues["contrast"].search(folded))  # type: ignore[union-attr]
    serbian_passage = bool(cues["serbian"].search(folded)) or any(e[3] == "SRB" for e in ents)  # type: ignore[union-attr]
    out: list[Mention] = []
    seen: set[tuple[str, str | None, str | None]] = set()
    weak: set[tuple[tuple[str, str | None, str | None], int]] = set()  # noun-only triggers, by sentence
    for s_start, s_end in _sentences(passage.text):
        fs, fe = to_folded.get(s_start, 0), to_folded.get(s_end, len(folded))
        sent = folded[fs:fe]
        taken: list[tuple[int, int]] = []
        for rule_kind, rx in cues["predicates"]:  # type: ignore[union-attr]
            for m in rx.finditer(folded, fs, fe):
                kind = rule_kind
                ts, te = m.span("t") if "t" in rx.groupindex and m.group("t") else m.span()
                if any(ts < b and a < te for a, b in taken):
                    continue  # a more specific rule already read these words
                if any(x.start() < te and ts < x.end() for x in cues["exclude"].finditer(folded, max(fs, ts - 40), fe)):  # type: ignore[union-attr]
                    continue
                membership = kind in MEMBERSHIP_KINDS
                label = "ORG" if membership else "STATE"
                excluded = NON_MEMBERSHIP_ORGS if membership else NON_ACTOR_STATES
                if kind in ("membership_blocked", "membership_vote") and not MEMBERSHIP_CUE.search(sent):
                    continue
                cands = [
                    (a, b, PARENT_ORG.get(i, i) if membership else i)
                    for a, b, lab, i in ents
                    if lab == label
                    and fs <= a
                    and b <= fe
                    # "the Council of Europe's advisory body": the owner of what is named, not a member
                    and not (membership and re.match(r"['\u2019]s\b", folded[b : b + 3]))
                ]
                if kind in CITY_KINDS and not [c for c in cands if c[2] not in excluded]:
                    cands += [(c.start(), c.end(), CAPITALS[c.group(1)]) for c in CAPITAL_RE.finditer(folded, fs, fe)]
                best: tuple[int, list[str]] | None = None
                for group in _groups(cands, folded):
                    ids = [i for _, _, i in group if i not in excluded]
                    if not ids:
                        continue
                    gs, ge = group[0][0], group[-1][1]
                    dist = 0 if gs < te and ts < ge else (ts - ge if ge <= ts else gs - te)
                    if ge <= ts:
                        # a state acts before its verb ("Ghana recognised"); an organisation is joined after
                        # it ("applied for membership of the Council of Europe")
                        if kind in ORG_AFTER and CLAUSE_BREAK.search(folded, ge, ts):
                            continue
                        dist += (2 * PREFER_AFTER if kind in ORG_AFTER else PREFER_AFTER) if membership else -1
                    if dist and CLAUSE_BREAK.search(folded, min(ge, te), max(gs, ts)):
                        dist += OTHER_CLAUSE
                    if dist <= MAX_DISTANCE and (best is None or dist < best[0]):
                        best = (dist, ids)
                if best is None and cues["anaphor"].search(sent):  # type: ignore[union-attr]
                    # "... this state withdrew its recognition": the state named last before the trigger
                    ids = _antecedent(ents, folded, ts, label, excluded)
                    ids = [PARENT_ORG.get(i, i) for i in ids] if membership else ids
                    if ids:
                        best = (MAX_DISTANCE, ids)
                if best is None:
                    continue
                if not membership:  # "recognised Kosovo in 2008 together with Japan": more actors
                    for group in _groups(cands, folded):
                        if group[0][0] < te or all(i in excluded for _, _, i in group):
                            continue
                        if TOGETHER.search(folded, te, group[0][0]):
                            extra = [i for _, _, i in group if i not in excluded and i not in best[1]]
                            if extra and not CLAUSE_BREAK.search(folded, te, group[0][0]):
                                best = (best[0], best[1] + extra)
                            break
                if kind == "follow":  # "Germany and Italy followed": the kind of the event told before
                    told = [x.kind for x in out if x.kind not in MEMBERSHIP_KINDS]
                    if not told:
                        continue
                    kind = told[-1]
                word = folded[ts:te].split()[0] if folded[ts:te].split() else ""
                weak_trigger = kind in ("membership_applied", "membership_joined") and bool(
                    WEAK_TRIGGER[lang].match(word)
                )
                if not weak_trigger:  # a bare noun leaves its words to the vote or decision around it
                    taken.append((ts, te))
                before_neg = _window(folded, fs, ts, VOTE_NEG_WINDOW if kind == "membership_vote" else NEG_WINDOW)
                before_mod = _window(folded, fs, ts, MODAL_WINDOW)
                negated = bool(cues["negation"].search(before_neg))  # type: ignore[union-attr]
                modal = bool(cues["modality"].search(before_mod)) or bool(  # type: ignore[union-attr]
                    lang in FUTURE_SUFFIX and FUTURE_SUFFIX[lang].search(word)
                )
                kinds: list[tuple[str, str | None]] = []
                claimant = None
                head = folded[fs:ts]
                said = bool(cues["speech"].search(sent))  # type: ignore[union-attr]
                if said and (
                    cues["serbian"].search(head)
                    or any(  # type: ignore[union-attr]
                        i == "SRB" and b <= ts for a, b, lab, i in ents if fs <= a
                    )
                ):
                    claimant = "SRB"
                if kind == "membership_vote":
                    modal = bool(cues["conditional"].search(before_mod)) or bool(  # type: ignore[union-attr]
                        cues["vote_after"].search(_after(folded, te, fe, VOTE_AFTER_WINDOW))  # type: ignore[union-attr]
                    )
                if kind == "recognition_withdrawn":
                    if modal and not negated:
                        continue
                    if negated:
                        kinds.append(("withdrawal_denied", "XKX"))
                        if serbian_passage:  # "has not withdrawn", after Belgrade said it had: the claim too
                            kinds.append(("recognition_withdrawn", "SRB"))
                    else:
                        claim = claimant or ("SRB" if serbian_passage else None)
                        kinds.append(("recognition_withdrawn", claim))
                        if denied_passage:
                            kinds.append(("withdrawal_denied", "XKX"))
                elif kind == "membership_joined" and negated and not modal:
                    kinds.append(("membership_blocked", claimant))  # "was not admitted to Interpol"
                elif negated or modal:
                    continue
                elif (
                    kind == "recognition_confirmed"
                    and CONTINUATION.search(folded, max(fs, ts - 20), te)
                    and cues["denial"].search(sent)  # type: ignore[union-attr]
                ):
                    # "it is a lie, both states still recognise Kosovo": a denial, not a confirmation
                    kinds.append(("withdrawal_denied", "XKX"))
                else:
                    kinds.append((kind, claimant))
                    if kind == "recognition_confirmed" and serbian_passage and (denied_passage or contrast_passage):
                        # confirmed against Belgrade's claims: the claim, and its denial if the passage denies it
                        kinds.append(("recognition_withdrawn", "SRB"))
                        if denied_passage:
                            kinds.append(("withdrawal_denied", "XKX"))
                history = bool(cues["history"].search(sent))  # type: ignore[union-attr]
                seg_s, seg_e = _segment(folded, fs, fe, ts, te)
                date = _event_date(passage.text[index[seg_s] : index[seg_e]], folded[seg_s:seg_e], lang, doc.date)
                if date is None and seg_s > fs:  # a date that opens the sentence covers all of it
                    head_s, head_e = _segment(folded, fs, fe, fs, fs)
                    date = _event_date(
                        passage.text[index[head_s] : index[head_e]], folded[head_s:head_e], lang, doc.date
                    )
                if kinds[0][0] == "recognition_confirmed" and date and doc.date and date[:4] < doc.date[:4]:
                    kinds.append(("recognised", None))  # "its recognition, extended in 2011, remains valid"
                presupposed = None
                if kinds[0][0] in ("recognition_withdrawn", "withdrawal_denied", "recognition_confirmed"):
                    # "reversed its decision of January 2012", "anuloi njohjen e vitit 2012": recognised then
                    found = PRESUPPOSED[lang].match(folded, te, fe)
                    if found and not any(k == "recognised" for k, _ in kinds):
                        presupposed = found.group(1)
                        kinds.append(("recognised", None))
                conf = CONFIDENCE["history"] if history else CONFIDENCE["base"]
                if best[0] > 60:
                    conf = min(conf, CONFIDENCE["far"])
                raw = passage.text[s_start:s_end]
                ev_start, ev_end = s_start + len(raw) - len(raw.lstrip()), s_start + len(raw.rstrip())
                for k, who in kinds:
                    for ident in best[1]:
                        state = None if k in MEMBERSHIP_KINDS else ident
                        org = ident if k in MEMBERSHIP_KINDS else None
                        if org is not None:
                            state = "XKX"  # the applicant; a membership event is matched on its organisation
                        key = (k, state if org is None else None, org)
                        if key in seen:
                            continue
                        seen.add(key)
                        if weak_trigger:
                            weak.add((key, ev_start))
                        out.append(
                            Mention(
                                kind=k, state=state, org=org,
                                claimant=who,
                                event_date=presupposed if k == "recognised" and presupposed else date,
                                doc_date=doc.date, doc_id=doc.id, source=doc.source,
                                passage=passage.index, lang=passage.lang, script=passage.script,
                                evidence=passage.text[ev_start:ev_end],
                                start=ev_start, end=ev_end,
                                trigger=passage.text[index[ts] : index[te]],
                                confidence=conf if who != "SRB" else min(conf, CONFIDENCE["claim"]),
                                history=history,
                            )
                        )  # fmt: skip

    # a bare "application"/"admission" that is the object of a vote or a decision on the same organisation
    # in its sentence ("will vote on the application", «гласаће о пријему») is not an event of its own
    def _weak(m: Mention) -> bool:
        return ((m.kind, None, m.org), m.start) in weak

    objects = {(m.org, m.start) for m in out if m.kind in MEMBERSHIP_KINDS and not _weak(m)}
    out = [m for m in out if not (_weak(m) and (m.org, m.start) in objects)]
    # a vote whose outcome the passage tells is the outcome: joined or blocked
    decided = {m.org for m in out if m.kind in ("membership_joined", "membership_blocked")}
    return [m for m in out if not (m.kind == "membership_vote" and m.org in decided)]


__all__ = ["MAX_DISTANCE", "Mention", "passage_mentions"]
