"""Retrain the duty model on the corpus plus the analysts' labels, and prove it helped.

``mfa-nlp train corpus/duties --add labels.jsonl -o models/local/`` runs :func:`retrain`:

1. the human labels (:mod:`mfa_nlp.labels`, newest per passage) become training passages; a
   fifth of them, chosen by the hash of the passage id, is held out and never trained on;
   labels of passages in the blind set or the corpus test split are left out of training
   (they would leak into the figures), and a corpus training passage with the same text as a
   label gives way to the label;
2. each remaining label counts :data:`HUMAN_WEIGHT` times: one correction of a real statement
   stands against thousands of team-written passages;
3. the new model is fitted on the corpus' training split plus those labels (thresholds tuned
   on ``folds`` group folds, or the old model's kept with ``folds=0``);
4. old and new model are scored side by side on the blind set, on the held-out fifth of the
   labels and on the corpus test split, per duty and per language;
5. the model is written only if the blind set's macro-F1 falls by at most :data:`MAX_BLIND_DROP`
   (``force=True`` writes anyway). Its card records how many human labels went in.

>>> result = retrain("corpus/duties", "labels.jsonl", "models/local")  # doctest: +SKIP
>>> result["written"], result["blind"]["new"]["overall"]["macro_f1"]  # doctest: +SKIP
(True, 0.82)
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from ..document import DUTIES, passage_id
from ..errors import MfaNlpError
from . import CARD_FILE, DutyClassifier, file_sha256
from .corpus import Example, add_entities, corpus_digest, counts, read_corpus, split
from .metrics import _side_by_side, predict_rows, read_blind, report
from .train import C_VALUE, CLASSIFIER, DROPOUT, ENT_WEIGHT, FOLDS, fit, tune_thresholds, versions, write_model

#: Copies of each human label in the training rows (see the module docstring).
HUMAN_WEIGHT = 3
#: One label in HOLDOUT is held out to score old and new model on the analysts' own judgement.
HOLDOUT = 5
#: The new model is refused when the blind set's macro-F1 falls by more than this.
MAX_BLIND_DROP = 0.02


class RetrainRefused(MfaNlpError):
    """The retrained model scores worse on the blind set than allowed; nothing was written."""


def human_examples(labels: Any) -> tuple[list[Example], list[str]]:
    """Training passages from the duty labels of a :class:`~mfa_nlp.labels.Labels`, and messages for the rest."""
    rows: list[Example] = []
    notes: list[str] = []
    for pid, lab in sorted(labels.duties.items()):
        if not lab.text:
            notes.append(f"{labels.path}:{lab.line}: passage {pid[:12]} has no text; not used for training")
            continue
        rows.append(Example(lab.text, lab.lang or "und", lab.script or "Latn", list(lab.duties), f"human:{pid}",
                            register="human"))  # fmt: skip
    return rows, notes


def held_out(rows: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    """(train, held out): the fifth of the labels whose passage hashes come first; fixed for a passage."""
    order = sorted(rows, key=lambda r: hashlib.sha1(r.doc.encode("utf-8")).hexdigest())
    k = -(-len(order) // HOLDOUT) if len(order) >= 2 else 0  # ceil(n / 5); keep a single label for training
    held = {id(r) for r in order[:k]}
    return [r for r in rows if id(r) not in held], [r for r in rows if id(r) in held]


def _apply_overrides(rows: Sequence[Example], labels: Any) -> None:
    """Entity overrides of the labels file, applied to the entity tokens the model reads."""
    for r in rows:
        lab = labels.entities.get(passage_id(r.text))
        if lab is None:
            continue
        tokens = r.entities.split()
        drop = [(x["label"], x["id"]) for x in lab.remove]
        tokens = [t for t in tokens if not any(t.split("=", 1)[1] == i and lab_ in (None, t.split("=", 1)[0])
                                               for lab_, i in drop)]  # fmt: skip
        tokens += [f"{x['label']}={x['id']}" for x in lab.add if f"{x['label']}={x['id']}" not in tokens]
        r.entities = " ".join(tokens)


def _agreement(clf: DutyClassifier, rows: Sequence[Example]) -> int:
    """How many rows get exactly their labelled duties."""
    if not rows:
        return 0
    pred = predict_rows(clf, rows)
    gold = np.array([[d in r.duties for d in DUTIES] for r in rows], dtype=int)
    return int((pred == gold).all(axis=1).sum())


def retrain(
    corpus: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    model_dir: str | os.PathLike[str] | None = None,
    folds: int = FOLDS,
    force: bool = False,
    english_model: str | None = None,
) -> dict[str, Any]:
    """Train on the corpus plus the labels, compare with the old model, write when it holds up.

    Returns ``{"written", "messages", "blind": {"old", "new"}, "held_out": {...}, "test": {...},
    "agreement": {...}, "card"}``. ``model_dir`` is the old model (default: the one tagging uses).

    Raises:
        MfaNlpError: no usable labels.
        RetrainRefused: the blind set fell by more than MAX_BLIND_DROP and ``force`` is off
            (the exception's ``result`` holds the comparison).
    """
    from ..labels import read_labels

    labels = read_labels(labels_path)
    messages = labels.messages()
    humans, notes = human_examples(labels)
    messages += notes
    rows = read_corpus(corpus)
    blind_rows = read_blind(corpus)
    train_rows, test_rows = split(rows)
    blind_ids = {passage_id(r.text) for r in blind_rows}
    test_ids = {passage_id(r.text) for r in test_rows}
    leaks = [h for h in humans if passage_id(h.text) in blind_ids | test_ids]
    if leaks:
        messages.append(f"{len(leaks)} label(s) are of passages in the blind set or the test split; not trained on")
    humans = [h for h in humans if passage_id(h.text) not in blind_ids | test_ids]
    if not humans:
        raise MfaNlpError(
            f"{labels_path}: no usable duty labels ({labels.lines} lines read); label passages with "
            "`mfa-nlp review --serve QUEUE` first. " + " ".join(messages[:3])
        )
    human_ids = {passage_id(h.text) for h in humans}
    replaced = [r for r in train_rows if passage_id(r.text) in human_ids]
    if replaced:
        messages.append(f"{len(replaced)} corpus training passage(s) relabelled by analysts; their labels win")
    train_rows = [r for r in train_rows if passage_id(r.text) not in human_ids]
    human_train, human_held = held_out(humans)
    add_entities([*train_rows, *test_rows, *blind_rows, *humans], english_model=english_model)
    _apply_overrides(humans, labels)

    fit_rows = train_rows + [replace(h) for h in human_train for _ in range(HUMAN_WEIGHT)]
    old = DutyClassifier.load(model_dir)
    thresholds = tune_thresholds(fit_rows, folds=folds) if folds >= 2 else dict(old.thresholds)
    model = fit(fit_rows)
    new = DutyClassifier(model, thresholds)

    def side(rows_: Sequence[Example]) -> dict[str, Any] | None:
        if not rows_:
            return None
        return {
            "old": report(rows_, predict_rows(old, rows_)) | {"passages": len(rows_)},
            "new": report(rows_, predict_rows(new, rows_)) | {"passages": len(rows_)},
        }

    result: dict[str, Any] = {
        "messages": messages,
        "blind": side(blind_rows),
        "held_out": side(human_held),
        "test": side(test_rows),
        "agreement": {
            "trained": {
                "passages": len(human_train),
                "old": _agreement(old, human_train),
                "new": _agreement(new, human_train),
            },
            "held_out": {
                "passages": len(human_held),
                "old": _agreement(old, human_held),
                "new": _agreement(new, human_held),
            },
        },  # fmt: skip
        "old_model": old.model_id,
        "written": False,
    }
    drop = 0.0
    if result["blind"]:
        drop = result["blind"]["old"]["overall"]["macro_f1"] - result["blind"]["new"]["overall"]["macro_f1"]
    result["blind_drop"] = round(drop, 3)
    if drop > MAX_BLIND_DROP and not force:
        exc = RetrainRefused(
            f"the blind set's macro-F1 fell by {drop:.3f} (more than {MAX_BLIND_DROP}): the model was not written. "
            "Check the labels listed above, or write it anyway with --force."
        )
        exc.result = result  # type: ignore[attr-defined]
        raise exc

    files = write_model(model, out_dir, test_rows)
    digest = corpus_digest([*rows, *humans])
    card = {
        "model_id": f"duties-{digest[:12]}",
        "task": "multi-label classification of passages against the seven duties (taxonomy.md)",
        "corpus": {
            "path": str(corpus),
            "sha256": corpus_digest(rows),
            "train": counts(train_rows),
            "test": counts(test_rows),
        },
        "human_labels": {
            "file": str(labels_path),
            "sha256": file_sha256(Path(labels_path)),
            "labels": len(humans),
            "trained": len(human_train),
            "held_out": len(human_held),
            "weight": HUMAN_WEIGHT,
            "not_used": len(labels.duties) - len(humans),
            "by_lang": counts(humans)["by_lang"],
        },
        "base_model": old.model_id,
        "model": {"classifier": CLASSIFIER, "C": C_VALUE, "entity_weight": ENT_WEIGHT, "entity_dropout": DROPOUT},
        "thresholds": thresholds,
        "thresholds_from": f"tuned on {folds} group folds" if folds >= 2 else f"the base model {old.model_id}",
        "test": result["test"]["new"] if result["test"] else None,
        "blind": result["blind"]["new"] if result["blind"] else None,
        "comparison": {
            name: {
                "old": part["old"]["overall"]["macro_f1"],
                "new": part["new"]["overall"]["macro_f1"],
                "passages": part["new"]["passages"],
            }
            for name, part in (("blind", result["blind"]), ("held_out", result["held_out"]), ("test", result["test"]))
            if part
        },  # fmt: skip
        "versions": versions(),
        **files,
    }
    Path(out_dir, CARD_FILE).write_text(json.dumps(card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    result["card"] = card
    result["written"] = True
    return result


def format_comparison(result: dict[str, Any]) -> str:
    """Old and new model side by side: blind set, the analysts' held-out fifth, the test split."""
    lines: list[str] = []
    for key, title in (("blind", "blind set"), ("held_out", "analysts' held-out labels"), ("test", "test split")):
        part = result.get(key)
        if not part:
            lines.append(f"== {title}: no passages\n")
            continue
        lines.append(f"== {title} ({part['new']['passages']} passages): old model | new model")
        lines += _side_by_side([("old", part["old"]), ("new", part["new"])])
        lines.append("")
    agree = result["agreement"]
    lines.append("passages given exactly the analysts' duties (old -> new):")
    for key, title in (("trained", "labels trained on"), ("held_out", "held-out labels")):
        a = agree[key]
        lines.append(f"  {title:<18} {a['old']}/{a['passages']} -> {a['new']}/{a['passages']}")
    summary = [
        f"{key}: {part['old']['overall']['macro_f1']:.3f} -> {part['new']['overall']['macro_f1']:.3f}"
        for key, part in (("blind", result.get("blind")), ("held-out labels", result.get("held_out")),
                          ("test", result.get("test")))
        if part
    ]  # fmt: skip
    lines.append("macro-F1 old -> new: " + "; ".join(summary))
    return "\n".join(lines)


__all__ = ["HOLDOUT", "HUMAN_WEIGHT", "MAX_BLIND_DROP", "RetrainRefused", "format_comparison", "human_examples",
           "retrain"]  # fmt: skip
