"""`make bench`: run every benchmark of bench/ and print its figures and its ratio to a floor.

Each benchmark is a module bench/bench_*.py with a `run()` function returning a list of
(name, value, unit, floor_value) rows, measured in the same run. Benchmarks are not tests:
they never run in `make test`. Results are recorded in docs/PERFORMANCE.md.
"""

import importlib
import os
import pkgutil
import sys
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")


def main():
    django.setup()
    modules = sorted(
        name for _finder, name, _pkg in pkgutil.iter_modules([str(Path(__file__).parent)]) if name.startswith("bench_")
    )
    if not modules:
        print("No benchmark yet: later issues add bench/bench_*.py (directory search, pass redemption, import).")
        return
    for module_name in modules:
        module = importlib.import_module(f"bench.{module_name}")
        print(f"== {module_name}")
        for name, value, unit, floor in module.run():
            ratio = f"{value / floor:.2f}× floor" if floor else "no floor"
            print(f"  {name:<50} {value:>12.3f} {unit:<6} ({ratio})")


if __name__ == "__main__":
    main()
