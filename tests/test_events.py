"""The recognition ledger (issue 14) on team-written statements tagged by the pipeline.

``tests/data/events_records.jsonl`` is ``mfa-nlp tag tests/data/events`` (six statements in en, sq,
sr Latin and Cyrillic); the rules read those records without re-running the pipeline.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from mfa_nlp import events
from mfa_nlp.errors import MfaNlpWarning, OutputFormatError, RecordError
from mfa_nlp.events.evaluate import DEFAULT_GOLD

RECORDS = Path(__file__).parent / "data" / "events_records.jsonl"


@pytest.fixture(scope="module")
def found() -> dict[str, set[tuple]]:
    """(kind, state or org, claimant) of every mention, per statement file name."""
    out: dict[str, set[tuple]] = {}
    for m in events.mentions(RECORDS):
        out.setdefault(Path(m.source).stem, set()).add((m.kind, m.org or m.state, m.claimant))
    return out


def _keys(found, name):
    return {(k, s) for k, s, _ in found[name]}


@pytest.mark.parametrize("name", ["en_recognitions", "sq_njohje", "sr-latn_priznanja", "sr-cyrl_priznanja"])
def test_events_recognised_in_every_language(found, name):
    assert ("recognised", "GHA") in _keys(found, name)


def test_events_every_kind_found():
    kinds = {m.kind for m in events.mentions(RECORDS)}
    assert kinds == set(events.KINDS)


@pytest.mark.parametrize("name", ["en_recognitions", "sr-latn_priznanja"])
def test_events_list_of_states_gives_one_event_each(found, name):
    assert {("recognised", s) for s in ("GHA", "TGO", "SUR")} <= _keys(found, name)


@pytest.mark.parametrize("name", ["en_recognitions", "sq_njohje", "sr-latn_priznanja", "sr-cyrl_priznanja"])
def test_events_negation_and_modality_give_no_event(found, name):
    keys = _keys(found, name)
    assert ("recognised", "ESP") not in keys  # "has not recognised", «није признала»
    assert ("recognised", "OMN") not in keys and ("recognised", "CYP") not in keys  # expected to, calls on, ће


@pytest.mark.parametrize("name", ["en_recognitions", "sq_njohje", "sr-latn_priznanja"])
def test_events_relations_and_embassy(found, name):
    keys = _keys(found, name)
    assert ("diplomatic_relations", "ISR") in keys and ("embassy_opened", "JPN") in keys


@pytest.mark.parametrize("name", ["en_withdrawal_denied", "sq_njohje", "sr-latn_priznanja", "sr-cyrl_priznanja"])
def test_events_withdrawal_claim_and_denial(found, name):
    assert ("recognition_withdrawn", "TGO", "SRB") in found[name]  # Dačić's claim, claimant Serbia
    assert ("withdrawal_denied", "TGO", "XKX") in found[name]


def test_events_confirmation_and_history(found):
    assert ("recognition_confirmed", "TGO") in _keys(found, "en_withdrawal_denied")
    jordan = [m for m in events.mentions(RECORDS) if m.state == "JOR"]
    assert [(m.kind, m.event_date, m.history) for m in jordan] == [("recognised", "2008", True)]


def test_events_membership(found):
    en = _keys(found, "en_membership")
    assert {("membership_applied", "COE"), ("membership_joined", "UEFA"), ("membership_joined", "FIFA"),
            ("membership_blocked", "INTERPOL"), ("membership_vote", "UNESCO")} <= en  # fmt: skip
    assert not any(k == "OSCE" for _, k in en)  # "will apply": modal
    assert not any(k == "NATO" for _, k in en)  # an organisation named without any membership event
    for name in ("sq_njohje", "sr-latn_priznanja"):
        keys = _keys(found, name)
        assert ("membership_joined", "IMF") in keys and ("membership_blocked", "INTERPOL") in keys


def test_events_dates_and_evidence_offsets():
    docs = {Path(d.source).stem: d for d in events.read_records(RECORDS)}
    for m in events.mentions(RECORDS):
        text = docs[Path(m.source).stem].passages[m.passage].text
        assert text[m.start : m.end] == m.evidence and m.trigger.lower() in m.evidence.lower()
    by_key: dict[tuple, events.Mention] = {}
    for m in events.mentions(RECORDS):
        if m.lang == "en":
            by_key.setdefault((m.kind, m.org or m.state), m)  # the first report
    assert by_key[("membership_applied", "COE")].event_date == "2022-05-12"  # "today" = the dateline
    assert by_key[("membership_joined", "FIFA")].event_date == "2016"  # the date of its own clause
    assert by_key[("recognition_withdrawn", "TGO")].event_date == "2019-11-01"  # "yesterday"


def test_events_gate_keeps_other_passages_out():
    doc = next(d for d in events.read_records(RECORDS) if d.source.endswith("en_recognitions.txt"))
    germany = doc.passages[-1]
    assert not events.passes_gate(germany)
    assert events.extract(doc, gate=1.01) == [] or all(m.passage != germany.index for m in events.extract(doc))


def test_events_aggregate_merges_reports(tmp_path):
    lines = RECORDS.read_text(encoding="utf-8").splitlines()
    twice = tmp_path / "twice.jsonl"
    second = [
        json.dumps(json.loads(line) | {"id": json.loads(line)["id"][::-1], "date": "2023-01-01"}) for line in lines
    ]
    twice.write_text("\n".join(lines + second) + "\n", encoding="utf-8")
    ledger = events.to_dataframe(twice)
    ghana = ledger[(ledger["kind"] == "recognised") & (ledger["state"] == "GHA")].iloc[0]
    assert ghana["mentions"] == 8 and ghana["documents"] == 8  # 4 statements, each reported twice
    assert ghana["doc_date"] == "2020-02-05" and ghana["last_reported"] == "2023-01-01"
    assert len(ghana["evidence_all"]) == 8
    assert not ledger.duplicated(["kind", "state", "org"]).any()
    mentions = events.to_dataframe(twice, aggregated=False)
    assert len(mentions) == int(ledger["mentions"].sum())


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".jsonl"])
def test_events_outputs_round_trip(tmp_path, suffix):
    frame = events.to_dataframe(RECORDS)
    out = events.write_events(frame, tmp_path / f"events{suffix}")
    if suffix == ".csv":
        back = pd.read_csv(out)
        assert json.loads(back["evidence_all"][0])[0]["doc_id"] == frame["evidence_all"][0][0]["doc_id"]
    elif suffix == ".parquet":
        back = pd.read_parquet(out)
    else:
        back = pd.read_json(out, lines=True, dtype=False)
    assert list(back.columns) == list(events.LEDGER_COLUMNS) and len(back) == len(frame)
    assert sorted(back["kind"]) == sorted(frame["kind"])


def test_events_errors_are_named(tmp_path):
    with pytest.raises(OutputFormatError, match=r"\.csv, \.parquet or \.jsonl"):
        events.output_format(tmp_path / "events.xlsx")
    with pytest.raises(RecordError, match="mfa-nlp tag"):
        list(events.read_records(tmp_path / "missing.jsonl"))


def test_events_bad_lines_warn_and_the_rest_is_read(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(RECORDS.read_text(encoding="utf-8") + '{"id": 1}\nnot json\n[1, 2]\n', encoding="utf-8")
    with pytest.warns(MfaNlpWarning, match=r"bad\.jsonl:\d+: not a tagged record .*line skipped"):
        docs = list(events.read_records(bad))
    assert len(docs) == 6


def _cli(*args):
    return subprocess.run([sys.executable, "-m", "mfa_nlp.cli", *map(str, args)], capture_output=True, text=True)


def test_events_cli(tmp_path):
    run = _cli("events", RECORDS, "-o", tmp_path / "events.csv")
    assert run.returncode == 0, run.stderr
    assert "events (" in run.stdout and (tmp_path / "events.csv").stat().st_size > 0
    run = _cli("events", RECORDS, "-o", tmp_path / "mentions.jsonl", "--mentions")
    rows = [json.loads(line) for line in (tmp_path / "mentions.jsonl").read_text(encoding="utf-8").splitlines()]
    assert run.returncode == 0 and {r["lang"] for r in rows} == {"en", "sq", "sr"}
    assert _cli("events", RECORDS, "-o", tmp_path / "events.txt").returncode == 2
    assert _cli("events", tmp_path / "none.jsonl", "-o", tmp_path / "e.csv").returncode == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text(RECORDS.read_text(encoding="utf-8") + "not json\n", encoding="utf-8")
    run = _cli("events", bad, "-o", tmp_path / "partial.parquet")
    assert run.returncode == 3 and "bad.jsonl:7" in run.stderr and "Traceback" not in run.stderr
    assert len(pd.read_parquet(tmp_path / "partial.parquet")) > 0


@pytest.mark.slow
@pytest.mark.skipif(not DEFAULT_GOLD.is_dir(), reason="no events gold set")
def test_events_gold_floors():
    from mfa_nlp.events.evaluate import evaluate_events

    scores = evaluate_events()["scores"]
    for lang in ("en", "sq", "sr"):  # the targets: F1 >= 0.85 in each language, no kind below 0.75
        assert scores[f"lang:{lang}"]["f1"] >= 0.85, (lang, scores[f"lang:{lang}"])
    assert scores["all"]["f1"] >= 0.85
    kinds = {k: v["f1"] for k, v in scores.items() if k.startswith("kind:")}
    assert len(kinds) == len(events.KINDS) and min(kinds.values()) >= 0.75, kinds


# --- second round (issue 14 follow-up): new sentences written for these tests, not taken from the gold set ---
def _events(text: str) -> set[tuple[str, str | None]]:
    import mfa_nlp

    doc = mfa_nlp.analyze_text(text)
    return {(m.kind, m.org or m.state) for m in events.extract(doc, gate=0.0)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The General Assembly of Interpol will vote on Kosovo's membership in Santiago next week.",
         {("membership_vote", "INTERPOL")}),
        ("Asambleja e Përgjithshme e Interpolit do të votojë javën e ardhshme për anëtarësimin e Kosovës.",
         {("membership_vote", "INTERPOL")}),
        ("Generalna skupština Interpola glasaće sledeće nedelje o zahtevu Kosova za prijem.",
         {("membership_vote", "INTERPOL")}),
        ("Генерална конференција Унеска одлучиваће у новембру о пријему Косова.", {("membership_vote", "UNESCO")}),
    ],
)  # fmt: skip
def test_events_assembly_votes_belong_to_their_organisation(text, expected):
    found = _events(text)
    assert expected <= found and not any(k == "membership_applied" or o == "UNGA" for k, o in found), found


def test_events_hypothetical_vote_is_not_an_event():
    found = _events("Kosovo will apply to UNESCO again, but a lost vote would hand Belgrade a victory, he said.")
    assert ("membership_vote", "UNESCO") not in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Belgrade claims that Nauru has withdrawn its recognition of Kosovo. The ministry in Pristina said "
         "this state had sent no such note and that its decision of April 2008 stands.",
         {("recognition_withdrawn", "NRU"), ("recognised", "NRU")}),
        ("Сао Томе и Принсипе потврдио је признање Косова. Београд је раније тврдио да је ова држава повукла признање.",
         {("recognition_confirmed", "STP"), ("recognition_withdrawn", "STP")}),
    ],
)  # fmt: skip
def test_events_second_sentence_refers_back(text, expected):
    assert expected <= _events(text)


def test_events_together_with_adds_the_other_state():
    assert {("recognised", "ITA"), ("recognised", "DEU")} <= _events(
        "Italy recognised Kosovo on 21 February 2008 together with Germany."
    )


def test_events_still_recognise_against_a_claim_is_a_denial():
    found = _events(
        "Dačić tvrdi da je Gana povukla priznanje, a Priština odgovara da je to laž i da Gana i dalje priznaje Kosovo."
    )
    assert ("withdrawal_denied", "GHA") in found and ("recognition_confirmed", "GHA") not in found
