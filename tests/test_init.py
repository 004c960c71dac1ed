"""``import kit`` is cheap and side-effect free; every exported name resolves."""

from __future__ import annotations

import subprocess
import sys

import kit


def test_every_export_resolves():
    missing = []
    for name in kit.__all__:
        try:
            getattr(kit, name)
        except (ImportError, AttributeError) as exc:
            missing.append(f"{name}: {exc}")
    assert missing == []


def test_import_has_no_heavy_side_effects():
    code = ("import sys, warnings; before = list(warnings.filters); import kit; "
            "heavy = [m for m in ('matplotlib', 'statsmodels', 'seaborn', 'papermill') if m in sys.modules]; "
            "assert not heavy, heavy; assert warnings.filters == before")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_exported_functions_are_not_shadowed_by_submodules():
    # importing a submodule sets it as an attribute of the package: no module may share a name with an export
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages(kit.__path__, "kit."):
        importlib.import_module(info.name)
    for name in kit.__all__:
        value = getattr(kit, name)
        assert not type(value).__name__ == "module", f"kit.{name} is a module, not the exported object"
