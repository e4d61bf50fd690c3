"""`make bench`: run every benchmark of bench/ and print its figures and its ratio to a floor.

Each benchmark is a module bench/bench_*.py with a `run()` function returning a list of
(name, value, unit, floor_value) rows, measured in the same run (the ratio is value / floor).
Benchmarks are not tests: they never run in `make test`. They work on a throwaway database:
a temporary SQLite file by default, or BENCH_DATABASE_URL (e.g. a PostgreSQL database created
for the purpose — it is migrated and filled). Results are recorded in docs/PERFORMANCE.md.
"""

import importlib
import os
import pkgutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WORK_DIR = Path(tempfile.mkdtemp(prefix="maillage-bench-"))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{WORK_DIR / 'bench.sqlite3'}")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
os.environ["DEBUG"] = "false"  # DEBUG keeps every SQL query in memory: never measure with it


def main():
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("load_communes", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    only = set(sys.argv[1:])
    modules = sorted(
        name
        for _finder, name, _package in pkgutil.iter_modules([str(Path(__file__).parent)])
        if name.startswith("bench_") and (not only or name in only)
    )
    from django.db import connection

    print(f"database: {connection.vendor}; work directory: {WORK_DIR}")
    for module_name in modules:
        module = importlib.import_module(f"bench.{module_name}")
        print(f"== {module_name}: {module.__doc__.strip().splitlines()[0]}")
        for name, value, unit, floor in module.run(WORK_DIR):
            ratio = f"{value / floor:.2f} × floor" if floor else ""
            print(f"  {name:<58} {value:>12.1f} {unit:<8} {ratio}")


if __name__ == "__main__":
    main()
