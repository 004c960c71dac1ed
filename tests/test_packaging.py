"""The environment.yml (conda route) and pyproject.toml (pip route) list the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# conda-forge names that differ from PyPI names
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def _split(spec: str) -> tuple[str, str]:
    name, bound = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", spec.strip()).groups()
    return name.lower(), bound.replace(" ", "")


def test_environment_yml_matches_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pip_specs = dict(_split(s) for s in project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda_specs = {}
    for item in env["dependencies"]:
        if not isinstance(item, str):
            continue
        name, bound = _split(item)
        if name in ("python", "pip"):
            continue
        conda_specs[CONDA_TO_PYPI.get(name, name)] = bound
    assert conda_specs == pip_specs


def test_lock_pins_every_dependency():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_split(s)[0] for s in project["dependencies"] + project["optional-dependencies"]["test"]}
    pinned = {line.split("==")[0].lower() for line in (ROOT / "requirements.lock").read_text().splitlines()
              if "==" in line and not line.startswith(" ")}
    assert names - pinned == set()


def test_python_floor_matches():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert project["requires-python"] == ">=3.11"
    assert "python>=3.11" in env["dependencies"]
