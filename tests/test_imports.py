"""Imports run one way (DESIGN.md): edges -> jobs -> services, store, backends, adapters -> domain.

A subpackage that imports one which imports it back cannot be read, tested or replaced on its
own; these tests read every ``veneer`` module's imports and fail on the first edge that runs
the wrong way, naming the module that has it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "veneer"

# The higher the layer, the nearer the edge; a part may import its own layer or lower ones.
LAYERS: dict[str, int] = {
    # migrations: Alembic's env.py and versions, run by Alembic like a command, imported by none.
    **dict.fromkeys(["app", "cli", "web", "graphql", "channels", "migrations"], 4),
    "jobs": 3,
    **dict.fromkeys(["services", "catalogue", "served_model"], 2),
    **dict.fromkeys(["store", "backends", "content_adapters", "plugin"], 1),
    **dict.fromkeys(
        [
            "consent",
            "events",
            "identity",
            "profiles",
            "segments",
            "variants",
            "statistics",
            "experiments",
            "entries",
            "content_model",
            "demo",
            "metrics",
            "settings",
            "traffic",
            "json_values",
            "recommend",
            "propensity",
            "triggers",
            "placements",
            "feeds",
            "queries",
            "viewer_state",
            "explanations",
            "logs",
            "audit",
            "insights",
        ],
        0,
    ),
}


def _part(module: str) -> str:
    """``veneer.jobs.worker`` -> ``jobs``; ``veneer.app`` -> ``app``."""
    return module.split(".")[1]


def _imports(package: Path = PACKAGE) -> dict[str, dict[str, str]]:
    """For each part of veneer, the parts it imports and one module that does it."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    for path in package.rglob("*.py"):
        relative = path.relative_to(package.parent).with_suffix("")
        module = ".".join(relative.parts)
        source = relative.parts[1]
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "veneer":
                    targets = [f"veneer.{alias.name}" for alias in node.names]
                elif node.module.startswith("veneer."):
                    targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("veneer.")]
            for target in targets:
                if _part(target) != source:
                    found[source].setdefault(_part(target), module)
    return found


def test_every_part_of_veneer_has_a_layer() -> None:
    """A new subpackage or top-level module must be placed, or the checks would skip it."""
    parts = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    parts |= {p.stem for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert parts - LAYERS.keys() == set(), "give new parts a layer in LAYERS"


def test_no_part_imports_a_layer_nearer_the_edge() -> None:
    upward = [
        f"{module} ({source}, layer {LAYERS[source]}) imports {target} (layer {LAYERS[target]})"
        for source, targets in _imports().items()
        for target, module in targets.items()
        if LAYERS.get(target, 0) > LAYERS.get(source, 0)
    ]
    assert upward == []


def _cycle(package: Path = PACKAGE) -> list[str]:
    graph = {source: set(targets) for source, targets in _imports(package).items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        return list(exc.args[1])
    return []


def test_subpackages_import_each_other_in_no_cycle() -> None:
    assert _cycle() == []


def test_a_cycle_through_a_late_import_is_seen(tmp_path: Path) -> None:
    """Imports inside functions count too: they are how cycles usually hide."""
    package = tmp_path / "veneer"
    (package / "jobs").mkdir(parents=True)
    (package / "services.py").write_text("def f():\n    from veneer.jobs import worker\n")
    (package / "jobs" / "worker.py").write_text("from veneer.services import Services\n")
    assert sorted(set(_cycle(package))) == ["jobs", "services"]


def test_the_app_the_worker_and_the_cli_start_without_plotting_or_fitting() -> None:
    """matplotlib, scikit-learn and scipy cost seconds and tens of MB before the first answer:
    only the commands and requests that plot, cluster or test significance load them."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, veneer.app, veneer.jobs.worker, veneer.cli; "
            "heavy = {'matplotlib', 'sklearn', 'scipy'}; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & heavy))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent,
    )
    assert loaded.stdout.strip() == "[]"
