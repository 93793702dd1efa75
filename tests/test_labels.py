"""Human labels (issue 16): reading bad files without crashing, newest wins, applying by passage hash."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mfa_nlp.document import DUTIES, Document, Entity, Passage, passage_id
from mfa_nlp.export import record_schema
from mfa_nlp.labels import Label, append_label, apply_duties, apply_entities, read_labels

TEXT_A = "Kosovo and Germany signed an agreement on energy cooperation in Berlin."
TEXT_B = "The Ministry condemned the attack and expressed solidarity with Ukraine."


def _line(text: str, duties: list[str] | None, *, time: str = "2025-01-01T10:00:00Z", **extra) -> str:
    obj = {"passage": passage_id(text), "text": text, "analyst": "ana", "time": time, **extra}
    if duties is not None:
        obj["duties"] = duties
    return json.dumps(obj, ensure_ascii=False)


def _doc(*texts: str) -> Document:
    return Document(id="d" * 64, source="a.txt", format="txt", passages=[Passage(i, t) for i, t in enumerate(texts)])


def test_labels_torn_last_line_still_loads(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(_line(TEXT_A, ["strategic_partners"]) + "\n" + _line(TEXT_B, ["global_agenda"])[:40])
    labels = read_labels(path)
    assert list(labels.duties) == [passage_id(TEXT_A)]
    assert any("cut short" in p and ":2:" in p for p in labels.problems)
    # The next label written after the torn line starts on a line of its own and is read.
    append_label(path, Label(passage_id(TEXT_B), ["global_agenda"], analyst="ana", time="2025-01-02T00:00:00Z"))
    again = read_labels(path)
    assert again.duties[passage_id(TEXT_B)].duties == ["global_agenda"]
    assert any("not a JSON object" in p for p in again.problems)  # the old torn line, now in the middle


def test_labels_unknown_duties_and_bad_lines_are_reported_not_raised(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    lines = [
        _line(TEXT_A, ["eu-integration"]),
        _line(TEXT_B, ["global_agenda"]),
        "[1, 2]",
        json.dumps({"duties": ["sovereignty"]}),
        _line(TEXT_A, None),
        _line(TEXT_A, None, entities={"add": [{"label": "PLANET", "id": "MARS"}]}),
    ]
    path.write_text("\n".join(lines) + "\n")
    labels = read_labels(path)
    assert list(labels.duties) == [passage_id(TEXT_B)]
    text = "\n".join(labels.messages())
    assert "unknown duties ['eu-integration']" in text and "sovereignty" in text  # names the valid ones
    assert ":3: not a JSON object" in text and ':4: no "passage" id' in text
    assert ':5: neither "duties" nor "entities"' in text and ":6: entity to add" in text
    assert read_labels(tmp_path / "missing.jsonl").problems[0].endswith("mfa-nlp review --serve QUEUE` first")


def test_labels_conflict_newest_wins_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        "\n".join([
            _line(TEXT_A, ["strategic_partners"], time="2025-03-01T09:00:00Z", analyst="ben"),
            _line(TEXT_A, ["eu_integration"], time="2025-02-01T09:00:00Z", analyst="ana"),  # older, later in file
            _line(TEXT_B, ["global_agenda"]),
            _line(TEXT_B, ["global_agenda"]),  # the same twice is no conflict
        ]) + "\n"
    )  # fmt: skip
    labels = read_labels(path)
    assert labels.duties[passage_id(TEXT_A)].duties == ["strategic_partners"]
    assert len(labels.conflicts) == 1 and "ana" in labels.conflicts[0] and "ben" in labels.conflicts[0]
    assert any("newest label was kept" in m for m in labels.messages())


def test_labels_apply_by_content_hash_and_mark_human(tmp_path: Path) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_text(
        _line(TEXT_A, ["strategic_partners"]) + "\n"
        + _line(TEXT_B, None, entities={"add": [{"label": "ORG", "id": "UN", "text": "Ministry"}], "remove": ["UKR"]})
        + "\n"
    )  # fmt: skip
    labels = read_labels(path)
    # Re-ingested: other document id, other order, extra whitespace; the labels still find their passages.
    doc = _doc("A heading that nobody labelled.", TEXT_B, "  " + TEXT_A.replace(" ", "  ") + "\n")
    doc.passages[1].entities = [Entity("Ukraine", "STATE", "UKR", TEXT_B.index("Ukraine"), len(TEXT_B) - 1)]
    doc.passages[2].duties = ["eu_integration"]
    assert apply_entities([doc], labels) == 1 and apply_duties([doc], labels) == 1
    assert doc.passages[2].duties == ["strategic_partners"] and doc.passages[2].source == "human"
    assert doc.passages[0].source is None and "source" not in doc.passages[0].to_dict()
    ents = doc.passages[1].entities
    assert [(e.label, e.id, e.text, e.source) for e in ents] == [("ORG", "UN", "Ministry", "human")]
    doc.collect()
    record = doc.to_dict()
    record.update(pipeline={"version": "x", "model": "m", "labels": labels.digest})
    jsonschema.validate(record, record_schema())
    assert Document.from_dict(record).passages[2].source == "human"
    assert [lab.passage for lab in labels.unmatched([passage_id(TEXT_A)])] == [passage_id(TEXT_B)]


def test_labels_queue_csv_from_a_spreadsheet_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "queue.csv"
    head = ["passage", "source", "index", "lang", "script", "priority", *DUTIES, "analyst", "text", "why"]
    marks = ["", "x", "1", "0", "", "", ""]
    import csv

    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(head)
        writer.writerow([passage_id(TEXT_A), "a.txt", 0, "en", "Latn", 1.0, *marks, "ana", TEXT_A, ""])
        writer.writerow([passage_id(TEXT_B), "a.txt", 1, "en", "Latn", 1.0, "maybe", *marks[1:], "ana", TEXT_B, ""])
    labels = read_labels(path)
    assert labels.duties[passage_id(TEXT_A)].duties == ["recognition", "eu_integration"]
    assert passage_id(TEXT_B) not in labels.duties and "not 1/0" in labels.problems[0]


@pytest.mark.parametrize("bad", [b"", b"\n\n", b"\xff\xfe garbage \x00\n", b'{"passage": 5, "duties": "x"}\n'])
def test_labels_garbage_files_never_crash(tmp_path: Path, bad: bytes) -> None:
    path = tmp_path / "labels.jsonl"
    path.write_bytes(bad)
    labels = read_labels(path)
    assert len(labels) == 0
