"""Shared test fixtures: the sample business, the shared real data sets, clean figures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATASETS = ROOT.parent / "shared" / "datasets"
SAMPLE_CONFIG = ROOT / "data" / "analysis.yaml"


@pytest.fixture(autouse=True)
def _close_figures_and_seed():
    """Seed numpy's legacy global RNG and close every matplotlib figure after each test."""
    np.random.seed(12345)
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="session")
def shared_datasets() -> Path:
    """``../shared/datasets``; the test is skipped when it is absent (a user's fresh clone)."""
    if not SHARED_DATASETS.is_dir():
        pytest.skip("../shared/datasets is not present")
    return SHARED_DATASETS


@pytest.fixture(scope="session")
def sample_config():
    """The bundled sample's configuration."""
    from kit.data.config import load_config

    return load_config(SAMPLE_CONFIG)


@pytest.fixture(scope="session")
def sample_data(sample_config):
    """The bundled sample, read and validated once per test session."""
    from kit.data.io import read_data

    return read_data(sample_config)


@pytest.fixture
def fixture_config(tmp_path: Path) -> Path:
    """A copy of the tiny report fixture (configuration and data, tests/fixtures_report) that a test may change."""
    import shutil

    folder = tmp_path / "business"
    shutil.copytree(ROOT / "tests" / "fixtures_report", folder)
    return folder / "analysis.yaml"
