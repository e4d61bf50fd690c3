"""The code is as `make lint` wants it: CI refuses unformatted code and lint errors.

`ruff format` decides the layout. A line it may not touch (`# fmt: skip`, `# fmt: off`) says
why on the same line, so that the exception is a decision and not a habit.
"""

import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUFF = Path(sys.executable).parent / "ruff"
CHECKED = ("maillage", "tests", "bench", "tools", "manage.py")
FORMATTER_PRAGMA = re.compile(r"#\s*fmt:\s*(skip|off)\b(?P<after>.*)$")


def _ruff(*arguments):
    if not RUFF.exists():
        pytest.fail(f"ruff is not installed beside {sys.executable}: run `make test`, which installs it")
    return subprocess.run([str(RUFF), *arguments], cwd=ROOT, capture_output=True, text=True)


def test_ruff_finds_nothing_to_say():
    result = _ruff("check", "--no-cache", *CHECKED)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted_by_ruff():
    result = _ruff("format", "--check", "--no-cache", *CHECKED)
    assert result.returncode == 0, "run `make format`:\n" + result.stdout + result.stderr


def _python_files():
    for name in CHECKED:
        path = ROOT / name
        yield from [path] if path.is_file() else sorted(path.rglob("*.py"))


def test_every_formatter_exception_says_why():
    unexplained = []
    for path in _python_files():
        with path.open("rb") as source:
            comments = [token for token in tokenize.tokenize(source.readline) if token.type == tokenize.COMMENT]
        for comment in comments:
            if (match := FORMATTER_PRAGMA.search(comment.string)) and not re.match(r"\s*#\s*\w", match["after"]):
                unexplained.append(f"{path.relative_to(ROOT)}:{comment.start[0]}: {comment.string}")
    assert not unexplained, "say why beside the exception, as `# fmt: skip  # why`:\n" + "\n".join(unexplained)
