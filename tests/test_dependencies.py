"""What veneer/ imports is what pyproject.toml declares.

A module that works only because another package happens to pull in its dependency breaks
the day that package stops doing so, and an install from the wheel is the first to notice.
Reading the imports with ``ast`` keeps the declaration from drifting as code changes.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "veneer"

# Parts of veneer that run inside another program and may rely on that program's extra, and
# the learned recommendation models, which need the recs extra only where they are trained.
EXTRAS_BY_FOLDER = {
    PACKAGE / "plugin" / "wagtail": "wagtail",
    PACKAGE / "recommend" / "models" / "lightfm_model.py": "recs",
    PACKAGE / "recommend" / "models" / "als.py": "recs",
}


def _project() -> dict[str, Any]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        project: dict[str, Any] = tomllib.load(file)["project"]
    return project


def declared(extra: str | None = None) -> set[str]:
    """The distributions the runtime declares, plus those of ``extra`` if given."""
    project = _project()
    requirements = list(project["dependencies"])
    if extra is not None:
        requirements += project["optional-dependencies"][extra]
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def third_party_imports(path: Path) -> set[str]:
    """Top-level names of the modules a file imports, leaving out the stdlib and veneer."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return {name for name in names - {"veneer"} if name not in sys.stdlib_module_names}


def _extra_for(path: Path) -> str | None:
    for folder, extra in EXTRAS_BY_FOLDER.items():
        if path.is_relative_to(folder):
            return extra
    return None


def test_every_third_party_import_is_a_declared_dependency() -> None:
    providers = packages_distributions()
    undeclared: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        allowed = declared(_extra_for(path))
        for module in sorted(third_party_imports(path)):
            distributions = {canonicalize_name(d) for d in providers.get(module, [])}
            if not distributions & allowed:
                found = ", ".join(sorted(distributions)) or "no installed distribution"
                undeclared.append(f"{path.relative_to(ROOT)} imports {module} ({found})")
    assert not undeclared, "declare in pyproject.toml:\n" + "\n".join(undeclared)


def locked() -> dict[str, set[str]]:
    """The versions the lock pins, by distribution (one per platform marker, usually one)."""
    pins: dict[str, set[str]] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        requirement = line.split("#", 1)[0].strip()
        if requirement:
            parsed = Requirement(requirement)
            (specifier,) = parsed.specifier
            pins.setdefault(canonicalize_name(parsed.name), set()).add(specifier.version)
    return pins


def test_the_lock_pins_every_declared_dependency_at_a_version_it_allows() -> None:
    """An edit to pyproject.toml without `make lock` would install what nobody resolved."""
    project = _project()
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += extra
    pins = locked()
    stale = [
        line
        for line in requirements
        if not any(
            Requirement(line).specifier.contains(version, prereleases=True)
            for version in pins.get(canonicalize_name(Requirement(line).name), ())
        )
    ]
    assert stale == [], "run `make lock`: constraints.txt does not pin these"


def test_make_bootstraps_the_uv_the_lock_pins() -> None:
    """`make` installs uv before it can read the lock; the two versions must not part."""
    makefile = (ROOT / "Makefile").read_text()
    (version,) = re.findall(r"^UV_VERSION := (\S+)$", makefile, re.MULTILINE)
    assert locked()["uv"] == {version}


def test_an_undeclared_import_is_seen(tmp_path: Path) -> None:
    """The check reads imports inside functions too, where optional ones usually hide."""
    module = tmp_path / "late.py"
    module.write_text("import os\n\ndef f():\n    from numpy import ndarray\n    import veneer\n")
    assert third_party_imports(module) == {"numpy"}
