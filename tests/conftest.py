"""Shared fixtures: paths to the team's data, and session-cached pipelines and models."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SAMPLES = ROOT / "corpus" / "samples"


@pytest.fixture(scope="session")
def data_dir() -> Path:
    return DATA


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    return SAMPLES


@pytest.fixture(scope="session")
def pipeline():
    """One full Pipeline for the whole session (spaCy pipelines and the model load once)."""
    from mfa_nlp import Pipeline

    return Pipeline()
