"""Loads the chaos scripts (mk/scripts/chaos-*.py) as modules for the tests."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_script(name: str) -> ModuleType:
    path = ROOT / "mk" / "scripts" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(name.replace("-", "_"), path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="session")
def chaos_run() -> ModuleType:
    return load_script("chaos-run")


@pytest.fixture(scope="session")
def chaos_report() -> ModuleType:
    return load_script("chaos-report")
