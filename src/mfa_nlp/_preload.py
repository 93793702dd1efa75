"""Imported by the process pool's forkserver: load every stage once, before any worker forks.

Workers are forked from the forkserver, so the spaCy pipelines, the duty model and the
imports loaded here are shared (copy-on-write) instead of being loaded again in every worker.
What to load comes from ``$MFA_NLP_PRELOAD`` (JSON: ``model_dir``, ``english_model``,
``entities``, ``duties``, ``langs``), set by :func:`mfa_nlp.workers.pool_context`. A failure
here is only a lost head start: the worker then loads what it needs itself.
"""

from __future__ import annotations

import json
import os
import warnings

from .errors import MfaNlpWarning


def _preload() -> None:
    from .guard import tune_process

    tune_process()  # inherited by the workers forked from here
    spec = json.loads(os.environ.get("MFA_NLP_PRELOAD") or "{}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MfaNlpWarning)
        from . import language, workers  # noqa: F401 - the imports are the point

        if spec.get("duties", True):
            from .duties import DutyClassifier

            DutyClassifier.load(spec.get("model_dir"))
        if spec.get("entities", True):
            from .entities import get_nlp

            for lang in spec.get("langs") or ("en", "sq", "sr"):
                get_nlp(lang, spec.get("english_model"))
    import gc

    gc.freeze()  # what is loaded stays: the workers' collections need not walk it (nor copy its pages)


try:
    _preload()
except Exception as exc:  # noqa: BLE001 - never break the pool: workers load lazily instead
    warnings.warn(f"[W-POOL1] preloading the stages failed ({type(exc).__name__}: {exc})", MfaNlpWarning, stacklevel=1)
