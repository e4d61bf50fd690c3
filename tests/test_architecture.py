"""The floors of docs/ARCHITECTURE.md hold: each app imports only from the rows below it, and no
module of ours imports back, even from inside a function (an import hidden in a function is still
a circle)."""

import ast
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "maillage"

# Lowest first; the apps of one row never import each other.
ROWS = [
    {"territory", "notifications"},
    {"accounts"},
    {"places"},
    {"guides", "mutualaid"},
    {"helprequests", "passes"},
    {"activities"},
    {"skills"},
    {"insights", "api"},
]
ROW_OF = {app: number for number, row in enumerate(ROWS) for app in row}


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def modules():
    """{module name: its path}, migrations left out (they name other apps by label, not by import)."""
    return {
        _module_name(path): path
        for path in sorted(PACKAGE.rglob("*.py"))
        if "migrations" not in path.parts and "__pycache__" not in path.parts
    }


def _resolved(name):
    """The module of ours an import names: ``maillage.places.search`` or, for a name imported from a
    package (``from maillage.places import search``), that submodule."""
    return name if name in modules() else None


@cache
def imports_of(module):
    """Every module of ours ``module`` imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(modules()[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in map(_resolved, found) if name and name != module and name.startswith("maillage.")}


def _app(module):
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in ROW_OF else None


def test_the_rows_list_every_app():
    apps = {path.parent.name for path in PACKAGE.glob("*/apps.py")}
    assert apps <= set(ROW_OF), f"apps missing from the rows of ARCHITECTURE.md: {apps - set(ROW_OF)}"


def test_each_app_imports_only_from_the_rows_below_it():
    upward = []
    for module in modules():
        app = _app(module)
        if app is None:
            continue
        for imported in imports_of(module):
            other = _app(imported)
            if other is not None and other != app and ROW_OF[other] >= ROW_OF[app]:
                upward.append(f"{module} → {imported}")
    assert not upward, "imports that go up or across a row:\n" + "\n".join(sorted(upward))


def test_the_project_helpers_import_no_app():
    """maillage/*.py used by the apps (formatting, phones, months…) sit below every app: they import none."""
    helpers = [module for module in modules() if module.count(".") == 1 and _app(module) is None]
    leaning = [
        f"{helper} → {imported}"
        for helper in helpers
        if helper not in {"maillage.urls", "maillage.views", "maillage.settings", "maillage.wsgi"}
        for imported in imports_of(helper)
        if _app(imported)
    ]
    assert not leaning, "project-level helpers must import no app:\n" + "\n".join(leaning)


def _cycle_from(start):
    """A path of imports from ``start`` back to itself, or None."""
    stack, seen = [(start, [start])], set()
    while stack:
        module, path = stack.pop()
        for imported in sorted(imports_of(module)):
            if imported == start:
                return [*path, start]
            if imported not in seen:
                seen.add(imported)
                stack.append((imported, [*path, imported]))
    return None


def test_no_module_of_ours_imports_itself_back():
    cycles = {" → ".join(cycle) for module in modules() if (cycle := _cycle_from(module))}
    assert not cycles, "import circles:\n" + "\n".join(sorted(cycles))


def test_the_circle_detector_sees_an_import_inside_a_function(tmp_path, monkeypatch):
    first = "def later():\n    from maillage.second import thing\n"
    second = "from maillage.first import later\n"
    monkeypatch.setattr(
        "tests.test_architecture.modules",
        lambda: {
            "maillage.first": _write(tmp_path, "first", first),
            "maillage.second": _write(tmp_path, "second", second),
        },
    )
    imports_of.cache_clear()
    try:
        assert _cycle_from("maillage.first") == ["maillage.first", "maillage.second", "maillage.first"]
    finally:
        imports_of.cache_clear()


def _write(folder, name, text):
    path = folder / f"{name}.py"
    path.write_text(text)
    return path


WRITES = {"save", "create", "update", "delete", "bulk_create", "bulk_update", "get_or_create", "update_or_create"}


def _writes_in(tree):
    """(line, what) for every call that writes: a model write or a journal line."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name, owner = node.func.attr, node.func.value
            if name in WRITES or (name == "record" and isinstance(owner, ast.Name) and owner.id == "journal"):
                yield node.lineno, ast.unparse(node.func)


def test_no_view_writes_services_do():
    """A view parses, calls one service, renders: writes and journal lines live in services, in a
    transaction with their checks."""
    found = [
        f"{module}:{line}: {call}"
        for module, path in modules().items()
        if "views" in module.rsplit(".", 1)[-1]
        for line, call in _writes_in(ast.parse(path.read_text(encoding="utf-8")))
    ]
    assert not found, "writes in views (move them into a service):\n" + "\n".join(sorted(found))


def test_the_write_detector_sees_writes():
    source = "def view(request):\n    form.save()\n    Thing.objects.filter(pk=1).update(x=1)\n    journal.record(a)\n"
    assert [call for _line, call in _writes_in(ast.parse(source))] == [
        "form.save",
        "Thing.objects.filter(pk=1).update",
        "journal.record",
    ]


def test_every_scheduled_job_takes_its_wet_run_from_one_base_command():
    commands = [path for path in PACKAGE.rglob("management/commands/*.py") if path.name != "__init__.py"]
    own_flag = [str(path.relative_to(PACKAGE)) for path in commands if '"--wet-run"' in path.read_text()]
    assert not own_flag, f"subclass maillage.management.wet_run.WetRunCommand instead: {own_flag}"


SERVICE_MODULES = {"services", "beneficiaries", "workshops"}
# Services whose writes are not one transaction of their own, and why.
NOT_ONE_TRANSACTION = {
    "maillage.passes.services.next_number": "runs in its caller's: the number commits with what it numbers",
    "maillage.notifications.services.deliver": "claims the message in a commit of its own before calling the "
    "provider, so that a message is sent at most once",
}


def test_a_service_that_writes_twice_does_it_in_one_transaction():
    """Every public service function making more than one write (a row and its journal line, two
    updates…) runs in a transaction: all of it happens, or none."""
    found = []
    for module, path in modules().items():
        if module.rsplit(".", 1)[-1] not in SERVICE_MODULES:
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not isinstance(node, ast.FunctionDef) or node.name.startswith("_"):
                continue
            if f"{module}.{node.name}" in NOT_ONE_TRANSACTION or "transaction.atomic" in ast.unparse(node):
                continue
            if len(list(_writes_in(node))) > 1:
                found.append(f"{module}.{node.name}")
    assert not found, "several writes outside a transaction:\n" + "\n".join(found)


def test_tests_build_their_data_from_their_apps_factories_not_from_each_other():
    """Helpers live in tests/<app>/factories.py, tests/worlds.py, tests/web/browser.py: one home each.
    A test module borrowing from another test module is a helper waiting to move home."""
    tests = PACKAGE.parent / "tests"
    borrowing = []
    for path in sorted(tests.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            module = node.module if isinstance(node, ast.ImportFrom) else None
            if module and module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_"):
                borrowing.append(f"{path.relative_to(tests)}: from {module}")
    assert not borrowing, "\n".join(borrowing)


def test_a_service_told_who_acts_records_it():
    """A service function taking ``by`` writes who acted: in the row, the transition or the journal."""
    unused = []
    for module, path in modules().items():
        if module.rsplit(".", 1)[-1] not in SERVICE_MODULES:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and "by" in [a.arg for a in node.args.args + node.args.kwonlyargs]:
                used = any(
                    isinstance(name, ast.Name) and name.id == "by" for name in ast.walk(node) if name is not node
                )
                if not used:
                    unused.append(f"{module}.{node.name}")
    assert not unused, "services that take a `by` they never record:\n" + "\n".join(unused)
