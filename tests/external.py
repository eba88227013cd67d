"""Things the tests need from outside the repository (the W3C manifests beside the clone, …).

On a developer's machine a missing one skips the tests that need it; when the ``CI`` environment
variable is set it fails them, so a CI run can never pass without what it was meant to test.
Importable from any test module (``tests/`` is on ``sys.path`` through its conftest).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

REPO = Path(__file__).resolve().parent.parent
# CI lays shared/ beside the clone; a git worktree under <checkout>/wt/<name> finds the checkout's
SHARED = next((p / "shared" for p in (REPO.parent, REPO.parent.parent) if (p / "shared").is_dir()),
              REPO.parent / "shared")
W3C_SPARQL11 = SHARED / "w3c-sparql11"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(what: str) -> NoReturn:
    """Skip (developer's machine) or fail (``CI`` set) because ``what`` is missing; inside a test or
    at a module's top level (then the whole module is skipped, or fails to collect)."""
    message = f"{what} MISSING"
    if in_ci():
        pytest.fail(f"{message}: required when CI is set", pytrace=False)
    pytest.skip(message, allow_module_level=True)
