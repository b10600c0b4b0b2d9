"""The floors of DESIGN.md hold because a tool checks them, not a reviewer.

``make lint`` runs import-linter's contracts (pyproject.toml). Here a copy of the
tree gains one deliberate upward import, and the same command must refuse it.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("constellation", "rituals", "commons", "circles", "movement")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(tree):
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(tree / "pyproject.toml")],
        cwd=tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def tree_copy(tmp_path):
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def _add_import(tree, module, statement):
    path = tree / Path(*module.split(".")).with_suffix(".py")
    path.write_text(path.read_text() + f"\n{statement}  # noqa\n")


def test_the_tree_keeps_every_contract():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("module", "statement", "contract"),
    [
        ("circles.selectors", "import rituals.models", "Floors"),
        ("movement.models", "from commons import selectors", "Floors"),
        ("rituals.services.convergence", "from circles import views", "circles' views"),
        ("movement.models", "import constellation.celery", "Floors"),
    ],
)
def test_an_upward_or_sideways_import_breaks_lint(tree_copy, module, statement, contract):
    _add_import(tree_copy, module, statement)
    result = _lint_imports(tree_copy)
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(contract in line for line in broken), result.stdout
