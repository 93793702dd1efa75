"""train --add (issue 16): the blind-set gate, --force, and the usage errors. The full loop is test_review_loop.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mfa_nlp.cli import app
from mfa_nlp.document import passage_id
from mfa_nlp.duties import default_model_dir
from mfa_nlp.duties import retrain as retrain_mod

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()
TEXTS = [
    ("The Minister thanked the ambassador of Japan for the scholarships offered to students.", ["strategic_partners"]),
    ("Ministri falënderoi ambasadorin e Japonisë për bursat e ofruara për studentët.", ["strategic_partners"]),
    ("The consular section will be closed on Monday because of the public holiday.", []),
    ("Seksioni konsullor do të jetë i mbyllur të hënën për shkak të festës zyrtare.", []),
    ("Министар је честитао новој амбасадорки на почетку мандата у Приштини.", ["global_agenda"]),
]


@pytest.fixture
def labels(tmp_path: Path) -> Path:
    path = tmp_path / "labels.jsonl"
    rows = [
        {"passage": passage_id(t), "duties": d, "text": t, "lang": "sr" if t[0] > "z" else ("sq" if "ë" in t else "en"),
         "script": "Cyrl" if t[0] > "z" else "Latn", "analyst": "ana", "time": f"2025-01-0{i + 1}T00:00:00Z"}
        for i, (t, d) in enumerate(TEXTS)
    ]  # fmt: skip
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def weak_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A deliberately bad retrain: no entity stage, fitted on a twentieth of the corpus (fast, and worse)."""
    real_fit = retrain_mod.fit
    monkeypatch.setattr(retrain_mod, "add_entities", lambda rows, **_: None)
    monkeypatch.setattr(retrain_mod, "fit", lambda rows: real_fit(rows[::20]))


@pytest.mark.slow
def test_retrain_refuses_a_worse_blind_set_unless_forced(labels: Path, tmp_path: Path, weak_model: None) -> None:
    out = tmp_path / "local"
    refused = runner.invoke(app, ["train", str(ROOT / "corpus/duties"), "--add", str(labels), "-o", str(out),
                                  "--folds", "0"])  # fmt: skip
    assert refused.exit_code == 1, refused.output
    assert "was not written" in refused.stderr and "--force" in refused.stderr
    assert "macro-F1 old -> new" in refused.stdout  # the comparison is still shown
    assert not (out / "duties.json").exists()
    forced = runner.invoke(app, ["train", str(ROOT / "corpus/duties"), "--add", str(labels), "-o", str(out),
                                 "--folds", "0", "--force"])  # fmt: skip
    assert forced.exit_code == 0, forced.output
    card = json.loads((out / "duties.json").read_text(encoding="utf-8"))
    assert card["human_labels"]["labels"] == len(TEXTS)
    assert card["human_labels"]["trained"] + card["human_labels"]["held_out"] == len(TEXTS)
    assert card["human_labels"]["held_out"] == 1  # a fifth
    assert card["comparison"]["blind"]["new"] < card["comparison"]["blind"]["old"] - retrain_mod.MAX_BLIND_DROP


def test_retrain_and_tag_usage_errors(labels: Path, tmp_path: Path) -> None:
    corpus = str(ROOT / "corpus/duties")
    missing = runner.invoke(app, ["train", corpus, "--add", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "m")])
    assert missing.exit_code == 2 and "no such labels file" in missing.stderr
    over = runner.invoke(app, ["train", corpus, "--add", str(labels), "-o", str(default_model_dir())])
    assert over.exit_code == 2 and "the model it is compared with" in over.stderr
    empty = tmp_path / "empty.jsonl"
    empty.write_text('{"passage": "torn', encoding="utf-8")
    nothing = runner.invoke(app, ["train", corpus, "--add", str(empty), "-o", str(tmp_path / "m")])
    assert nothing.exit_code == 2 and "no usable duty labels" in nothing.stderr
    tag = runner.invoke(app, ["tag", str(ROOT / "corpus/samples"), "-o", str(tmp_path / "o.jsonl"),
                              "--labels", str(tmp_path / "nope.jsonl")])  # fmt: skip
    assert tag.exit_code == 2 and "no such file" in tag.stderr
