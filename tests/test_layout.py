"""The shape of the code base: what the core app holds, and what production code may import."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("lifecycle", "phases", "governance")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def _module_level_imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_production_code_never_imports_sample_data_or_benchmarks():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            imported = _imports(path) if "management" not in path.parts else _module_level_imports(path)
            bad = sorted(name for name in imported if name.split(".")[0] in ("sample_data", "bench", "tests"))
            if bad:
                offenders.append(f"{path.relative_to(ROOT)}: {', '.join(bad)}")
    assert offenders == []


def test_the_core_app_keeps_at_most_fifteen_top_level_modules():
    """Infrastructure lives in lifecycle/infrastructure/, settings in lifecycle/settings/; what is
    left at the top is the domain core and the project wiring."""
    modules = sorted(p.name for p in (ROOT / "lifecycle").glob("*.py"))
    assert len(modules) <= 15, modules
    assert not (ROOT / "lifecycle" / "readiness.py").exists()
