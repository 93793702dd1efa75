"""The review queue and the review server's API (issue 16); the browser loop is in test_review_loop.py."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from mfa_nlp.document import DUTIES, Document, Entity, Passage, passage_id
from mfa_nlp.labels import read_labels
from mfa_nlp.review import build_queue, candidates, read_queue, select, write_queue
from mfa_nlp.review_server import make_server

THRESHOLDS = dict.fromkeys(DUTIES, 0.5)


def _passage(i: int, text: str, lang: str, script: str, scores: dict[str, float], ents=()) -> Passage:
    duties = [d for d in DUTIES if scores.get(d, 0) >= 0.5]
    full = {d: scores.get(d, 0.01) for d in DUTIES}
    entities = [Entity(s, label, eid, text.index(s), text.index(s) + len(s)) for s, label, eid in ents]
    return Passage(i, text, lang, script, entities, duties, full)


def _docs() -> list[Document]:
    base = "The minister discussed the dialogue with Serbia and the next steps of the process in Brussels today"
    passages = [
        _passage(0, base + ".", "en", "Latn", {"regional_dialogue": 0.9}, [("Serbia", "STATE", "SRB")]),
        _passage(1, base + " again.", "en", "Latn", {"regional_dialogue": 0.88}, [("Serbia", "STATE", "SRB")]),
        _passage(2, "KFOR and NATO remain the guarantors of security and peace in the whole country.", "en", "Latn",
                 {"nato_security": 0.3, "global_agenda": 0.48}, [("KFOR", "ORG", "KFOR"), ("NATO", "ORG", "NATO")]),
        _passage(3, "Ministri priti ambasadorin e Gjermanisë për të diskutuar bashkëpunimin ekonomik.", "sq", "Latn",
                 {"strategic_partners": 0.55}),
        _passage(4, "Министар је разговарао о дијалогу са Београдом и о следећим корацима у процесу.", "sr", "Cyrl",
                 {"regional_dialogue": 0.52}),
        _passage(5, "Short heading.", "en", "Latn", {"eu_integration": 0.5}),
    ]  # fmt: skip
    return [Document(id="a" * 64, source="a.html", format="html", passages=passages)]


def test_review_queue_ranks_covers_and_drops_near_duplicates() -> None:
    items = candidates(_docs(), THRESHOLDS)
    assert {c.index for c in items} == {0, 1, 2, 3, 4}  # the heading is too short
    chosen = select(items, 10)
    assert {c.index for c in chosen} == {0, 2, 3, 4} or {c.index for c in chosen} == {1, 2, 3, 4}
    top = max(chosen, key=lambda c: c.priority)
    assert top.index == 2  # near the threshold and NATO/KFOR without nato_security
    assert any("NATO" in w and "nato_security" in w for w in top.why)
    assert {c.group for c in select(items, 3)} == {"en", "sq", "sr-Cyrl"}  # every language gets a share


def test_review_queue_skips_reviewed_and_writes_csv(tmp_path: Path) -> None:
    records = tmp_path / "out.jsonl"
    records.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in _docs()))
    labels = tmp_path / "labels.jsonl"
    done = _docs()[0].passages[2].text
    labels.write_text(json.dumps({"passage": passage_id(done), "duties": ["nato_security"]}) + "\n")
    items = build_queue(records, n=10, labels=labels)
    assert passage_id(done) not in {c.passage for c in items}
    queue, table = write_queue(items, tmp_path / "queue.jsonl")
    assert [q["passage"] for q in read_queue(queue)] == [c.passage for c in items]
    back = read_labels(table)  # the CSV, unedited, reads back as the model's labels
    assert not back.problems
    assert {pid: lab.duties for pid, lab in back.duties.items()} == {c.passage: c.duties for c in items}


@pytest.fixture
def server(tmp_path: Path):
    items = candidates(_docs(), THRESHOLDS)
    queue, _ = write_queue(items, tmp_path / "queue.jsonl")
    srv = make_server(queue, tmp_path / "labels.jsonl", analyst="ana", port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


def _request(url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    req = urllib.request.Request(url, data=body, headers=headers or {}, method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_review_server_saves_labels_and_refuses_bad_requests(server) -> None:
    state = _request(server.url + "api/state")[1]
    assert state["duties"] == list(DUTIES) and state["analyst"] == "ana" and state["labels"] == {}
    first = state["items"][0]["passage"]
    post = {"Content-Type": "application/json"}
    ok = _request(server.url + "api/label", json.dumps({"passage": first, "duties": ["global_agenda"]}).encode(), post)
    assert ok[0] == 200 and ok[1]["duties"] == ["global_agenda"]
    assert _request(server.url + "api/label", json.dumps({"passage": first, "duties": ["x"]}).encode(), post)[0] == 400
    assert _request(server.url + "api/label", json.dumps({"passage": "nope", "duties": []}).encode(), post)[0] == 400
    assert _request(server.url + "api/label", b"passage=1", {"Content-Type": "text/plain"})[0] == 415
    assert _request(server.url + "api/label", b"{", post)[0] == 400
    rebinding = {"Host": "evil.example:80"}
    assert _request(server.url + "api/state", None, rebinding)[0] == 403
    labels = read_labels(server.app.labels_path)
    assert labels.duties[first].duties == ["global_agenda"] and labels.duties[first].analyst == "ana"
    assert labels.duties[first].text  # the text travels with the label, for training
    assert _request(server.url + "api/state")[1]["labels"][first]["duties"] == ["global_agenda"]
