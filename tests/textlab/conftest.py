"""textlab tests: plain pytest, no database. The labelled real titles of shared/data are copied to
tests/textlab/data so the suite runs on a fresh checkout; JIANYAN_TITLES points at another file."""

import os
from pathlib import Path

import pytest

from jianyan.textlab import evaluate

DEV_TITLES = Path(os.environ.get("JIANYAN_TITLES", Path(__file__).parent / "data" / "real-titles-dev.jsonl"))


@pytest.fixture(scope="session")
def dev_records():
    return evaluate.load_records(DEV_TITLES)


@pytest.fixture(scope="session")
def dev_metrics(dev_records):
    """The leave-one-out evaluation of the whole dev file, computed once (about 4 s)."""
    return evaluate.evaluate(dev_records, folds="loo")
