"""The duty classifier: the shipped model, its card, safe loading, determinism and the corpus."""

from __future__ import annotations

import json
import pickle
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from mfa_nlp.document import DUTIES
from mfa_nlp.duties import CARD_FILE, INFERENCE_FILE, MODEL_FILE, DutyClassifier, default_model_dir, load_estimator
from mfa_nlp.duties.corpus import NEAR_DUPLICATE, TEMPLATE, frame, labels, mask_names, read_corpus, similar_pairs, split
from mfa_nlp.duties.features import fold, transliterate
from mfa_nlp.duties.metrics import read_blind
from mfa_nlp.duties.train import build_model, tune_thresholds
from mfa_nlp.errors import ModelError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus" / "duties"


@pytest.fixture(scope="module")
def corpus():
    return read_corpus(CORPUS)


@pytest.fixture(scope="module")
def clf():
    return DutyClassifier.load()


@pytest.fixture(scope="module")
def card():
    return json.loads((default_model_dir() / CARD_FILE).read_text(encoding="utf-8"))


def test_duties_fold_unifies_scripts_and_diacritics():
    assert transliterate("Љубљана, Ђаковица, Џеј") == "Ljubljana, Đakovica, Džej"
    assert fold("Србија") == fold("Srbija") == fold("SRBIJA")
    assert fold("Kosovës") == fold("Kosoves")
    assert fold("Đakovica") == "djakovica"


def test_duties_corpus_meets_the_brief(corpus):
    """Corpus v2 (issue 10): size per language, registers, length, label mix, confounders, positives."""
    import statistics

    by_lang = Counter(r.lang for r in corpus)
    assert len(corpus) >= 6000
    assert by_lang["en"] >= 2000 and by_lang["sq"] >= 1800 and by_lang["sr"] >= 2000
    assert sum(r.lang == "sr" and r.script == "Cyrl" for r in corpus) >= 800
    for lang in ("en", "sq", "sr"):
        rows = [r for r in corpus if r.lang == lang]
        registers = Counter(r.register for r in rows)
        for register in ("press", "news", "interview", "serbian_media", "partner", "consular"):
            assert registers[register] >= 0.10 * len(rows), (lang, register, registers)
    assert statistics.median(len(r.text) for r in corpus) >= 220
    for duty in DUTIES:
        assert sum(duty in r.duties for r in corpus) >= 600, duty
    n = len(corpus)
    mix = Counter(min(len(r.duties), 3) for r in corpus)
    assert 0.10 <= mix[0] / n <= 0.25 and 0.50 <= mix[1] / n <= 0.70
    assert mix[2] / n >= 0.15 and mix[3] / n >= 0.02
    assert sum(r.confounder for r in corpus) >= 0.15 * n


def test_duties_corpus_has_no_near_duplicates(corpus):
    texts = [fold(r.text) for r in corpus]
    assert len(set(texts)) == len(texts), "exact duplicates in corpus/duties"
    pairs = similar_pairs(texts, NEAR_DUPLICATE, groups=[r.lang for r in corpus])
    assert not pairs, [(corpus[i].text[:60], corpus[j].text[:60], round(v, 2)) for i, j, v in pairs[:5]]


def test_duties_corpus_repeats_no_template_with_names_swapped(corpus):
    pairs = similar_pairs([mask_names(r.text) for r in corpus], TEMPLATE, groups=[r.lang for r in corpus])
    assert not pairs, [(corpus[i].text[:60], corpus[j].text[:60], round(v, 2)) for i, j, v in pairs[:5]]


def test_duties_template_check_catches_a_swapped_name():
    a = "The Minister thanked Germany for its steady support of the visa liberalisation process for our citizens."
    b = "The Minister thanked France for its steady support of the visa liberalisation process for our citizens."
    assert similar_pairs([mask_names(a), mask_names(b)], TEMPLATE)


def test_duties_blind_set_is_apart_from_the_corpus(corpus):
    blind = read_blind(CORPUS)
    assert len(blind) >= 500 and Counter(r.lang for r in blind)["en"] >= 200
    assert sum(r.lang == "sr" and r.script == "Cyrl" for r in blind) >= 60
    assert not {r.doc for r in blind} & {r.doc for r in corpus}
    texts = [fold(r.text) for r in corpus] + [fold(r.text) for r in blind]
    langs = [r.lang for r in corpus] + [r.lang for r in blind]
    assert not similar_pairs(texts, NEAR_DUPLICATE, among=range(len(corpus), len(texts)), groups=langs)


def test_duties_split_keeps_documents_whole(corpus):
    train, test = split(corpus)
    assert not {r.doc for r in train} & {r.doc for r in test}
    assert 0.12 < len(test) / len(corpus) < 0.30


def test_duties_card_reports_targets_and_baselines(card):
    test = card["test"]
    assert test["overall"]["macro_f1"] >= 0.85
    for lang in ("en", "sq", "sr"):
        assert test["by_lang"][lang]["macro_f1"] >= 0.80, lang
    assert set(card["thresholds"]) == set(DUTIES)
    assert card["baselines"]["keyword_rule"]["macro_f1"] < test["overall"]["macro_f1"]
    assert {"word_tfidf_logreg", "keyword_rule"} <= set(card["baselines"])


def test_duties_card_reports_the_blind_set_with_its_first_run(card):
    """Issue 10: blind macro-F1 >= 0.80 in each language, no duty under 0.70; the first run kept as it came out."""
    blind, first = card["blind"], card["blind_first_run"]
    assert blind["passages"] >= 500 and first["passages"] == blind["passages"]
    for lang in ("en", "sq", "sr"):
        assert blind["by_lang"][lang]["macro_f1"] >= 0.80, lang
    assert min(m["f1"] for m in blind["overall"]["per_duty"].values()) >= 0.70
    assert first["model_id"] != card["model_id"] and first["overall"]["macro_f1"] == 0.795


def test_duties_evaluate_reproduces_the_card(card):
    from mfa_nlp.duties.metrics import evaluate

    result = evaluate(CORPUS)
    assert result["model_id"] == card["model_id"]
    assert result["overall"]["macro_f1"] == pytest.approx(card["test"]["overall"]["macro_f1"], abs=0.002)


@pytest.mark.parametrize(
    ("text", "duty"),
    [
        ("KFOR and NATO remain the guarantors of a safe and secure environment in Kosovo.", "nato_security"),
        (
            "Ministri falënderoi Gjermaninë për mbështetjen e liberalizimit të vizave për qytetarët e Kosovës.",
            "eu_integration",
        ),
        ("Министар је поздравио одлуку Барбадоса да призна Републику Косово као независну државу.", "recognition"),
        ("Kosovo osuđuje teroristički napad i izražava solidarnost sa narodom Ukrajine.", "global_agenda"),
    ],
)
def test_duties_model_assigns_clear_duties(clf, text, duty):
    assert duty in clf.predict([text])[0]


def test_duties_ceremony_gets_no_duty(clf):
    text = (
        "The Ministry's consular section will be closed on Monday for the public holiday; "
        "urgent cases call the duty officer."
    )
    assert clf.predict([text])[0] == []


def test_duties_explain_names_features_of_the_text(clf):
    text = "KFOR and NATO remain the guarantors of a safe and secure environment in Kosovo."
    reasons = clf.explain(text)
    assert "nato_security" in reasons
    top = [r.feature for r in reasons["nato_security"]]
    assert all(r.weight > 0 for r in reasons["nato_security"])
    assert any("nato" in f or "kfor" in f for f in top)


def test_duties_pipeline_fills_scores_and_document_duties(pipeline):
    doc = pipeline.analyze_text("NATO membership remains a strategic goal; KFOR's presence guarantees security.")
    passage = doc.passages[0]
    assert set(passage.scores) == set(DUTIES)
    assert all(0.0 <= s <= 1.0 for s in passage.scores.values())
    assert "nato_security" in passage.duties and "nato_security" in doc.duties
    assert doc.pipeline["model"] == DutyClassifier.load().model_id


def _copy_model(tmp_path: Path) -> Path:
    for name in (MODEL_FILE, CARD_FILE, INFERENCE_FILE):
        shutil.copy(default_model_dir() / name, tmp_path / name)
    return tmp_path


def test_duties_tampered_model_is_refused(tmp_path):
    folder = _copy_model(tmp_path)
    data = bytearray((folder / MODEL_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / MODEL_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="M003"):
        DutyClassifier.load(folder)


def test_duties_pickle_renamed_skops_is_refused_without_running_it(tmp_path):
    import hashlib

    folder = _copy_model(tmp_path)
    payload = pickle.dumps({"not": "a model"})
    (folder / MODEL_FILE).write_bytes(payload)
    card = json.loads((folder / CARD_FILE).read_text())
    card["sha256"] = hashlib.sha256(payload).hexdigest()
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="M005|M006"):
        load_estimator(folder)
    # tagging never opens the estimator file, so it does not run it either
    assert DutyClassifier.load(folder).predict(["NATO and KFOR guarantee security."], ["ORG=NATO ORG=KFOR"])


def test_duties_other_sklearn_version_is_a_clear_error(tmp_path):
    folder = _copy_model(tmp_path)
    card = json.loads((folder / CARD_FILE).read_text())
    card["versions"]["scikit-learn"] = "0.24.2"
    (folder / CARD_FILE).write_text(json.dumps(card))
    with pytest.raises(ModelError, match="M004.*0.24.2"):
        load_estimator(folder)


def test_duties_tampered_inference_arrays_are_refused(tmp_path):
    folder = _copy_model(tmp_path)
    data = bytearray((folder / INFERENCE_FILE).read_bytes())
    data[len(data) // 2] ^= 0xFF
    (folder / INFERENCE_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelError, match="M003"):
        DutyClassifier.load(folder)


def test_duties_inference_arrays_reproduce_the_estimator(clf, corpus):
    rows = [r for r in corpus if r.doc[-1] in "57"][:300]
    texts = [r.text for r in rows]
    ents = ["STATE=SRB ORG=NATO" if i % 3 == 0 else "" for i in range(len(rows))]
    from mfa_nlp.duties.features import to_frame

    ours = clf.predict_proba(texts, ents)
    theirs = clf.model.predict_proba(to_frame(texts, ents))
    assert np.abs(ours - theirs).max() < 1e-9


def test_duties_tagging_imports_neither_sklearn_skops_nor_scipy():
    import subprocess
    import sys

    code = (
        "import sys; from mfa_nlp.duties import DutyClassifier; c = DutyClassifier.load(); "
        "c.predict(['Kosovo applied to the Council of Europe.'], ['ORG=COE']); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'skops', 'pandas', 'scipy')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_duties_reading_the_card_imports_no_numpy():
    """Issue 11: a rerun reads the model id from the card; importing the duty package costs no numpy."""
    import subprocess
    import sys

    code = "import sys, mfa_nlp.duties, mfa_nlp.batch; print('numpy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_duties_missing_model_says_how_to_build(tmp_path):
    with pytest.raises(ModelError, match="make model"):
        DutyClassifier.load(tmp_path)


@pytest.mark.slow
def test_duties_training_is_deterministic(corpus):
    rows = [r for r in corpus if r.doc[-1] in "0123"][:400]
    first, second = tune_thresholds(rows), tune_thresholds(rows)
    assert first == second
    a = build_model().fit(frame(rows), labels(rows)).predict_proba(frame(rows[:50]))
    b = build_model().fit(frame(rows), labels(rows)).predict_proba(frame(rows[:50]))
    assert np.array_equal(a, b)


_DUMP = """
import sys
from pathlib import Path
from mfa_nlp.duties import TRUSTED_TYPES
from mfa_nlp.duties.corpus import frame, labels, read_corpus
from mfa_nlp.duties.train import build_model
from mfa_nlp.safeio import dump_skops
rows = [r for r in read_corpus(sys.argv[1]) if r.doc[-1] in "01"][:300]
dump_skops(build_model().fit(frame(rows), labels(rows)), Path(sys.argv[2]), TRUSTED_TYPES)
"""


@pytest.mark.slow
def test_duties_model_file_is_byte_for_byte_reproducible(tmp_path):
    """Issue 10: `make model` in a fresh clone gives the same bytes (skops names files by memory address)."""
    import os
    import subprocess
    import sys

    from mfa_nlp.safeio import file_sha256

    digests = []
    for seed in ("1", "2"):
        out = tmp_path / f"m{seed}.skops"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", _DUMP, str(CORPUS), str(out)], check=True, env=env)
        digests.append(file_sha256(out))
    assert digests[0] == digests[1]
