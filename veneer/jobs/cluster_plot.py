"""The silhouette and elbow curves of a clustering run, as a PNG for people to look at.

Its own module because matplotlib takes a second to import and tens of megabytes: only the
command that writes a report loads it, never the app or the worker.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from veneer.segments.clustering import Clustering

matplotlib.use("Agg")  # files only, no screen


def plot(result: Clustering, path: Path) -> None:
    figure = Figure(figsize=(7, 4))
    left = figure.subplots()
    ks = sorted(result.choice.silhouettes)
    left.plot(ks, [result.choice.silhouettes[k] for k in ks], "o-", color="tab:blue")
    left.set_xlabel("k (clusters)")
    left.set_ylabel("silhouette (higher is better)", color="tab:blue")
    left.axvline(result.choice.k, color="grey", linestyle="--")
    if result.choice.inertias:
        right = left.twinx()
        inertia_ks = sorted(result.choice.inertias)
        right.plot(
            inertia_ks, [result.choice.inertias[k] for k in inertia_ks], "s-", color="tab:red"
        )
        right.set_ylabel("inertia (elbow)", color="tab:red")
    left.set_title(f"k = {result.choice.k}, chosen by silhouette")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
