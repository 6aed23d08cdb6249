"""Unpacks MovieLens 100k's atomic files from the recbole wheel that `make bench-recs` downloads.

The data set's licence forbids redistributing it, so Veneer never ships or commits it: the
benchmark fetches the recbole 1.2.1 wheel (which carries it under
``recbole/dataset_example/ml-100k/``) and takes just those files out.
Run: ``python -m bench.movielens WHEEL DEST``.
"""

from __future__ import annotations

import argparse
import zipfile
from pathlib import Path

INSIDE = "recbole/dataset_example/ml-100k/"


def extract(wheel: Path, dest: Path) -> Path:
    """The directory holding ml-100k.inter and its companions, extracted under ``dest``."""
    with zipfile.ZipFile(wheel) as archive:
        members = [name for name in archive.namelist() if name.startswith(INSIDE)]
        if not members:
            raise SystemExit(f"{wheel} holds no {INSIDE}")
        archive.extractall(dest, members)
    return dest / INSIDE


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("wheel", type=Path)
    parser.add_argument("dest", type=Path)
    args = parser.parse_args()
    print(extract(args.wheel, args.dest))


if __name__ == "__main__":
    main()
