"""Templates ask objects what they are (``help_request.is_declined``, ``registration.is_waiting``):
a status compared with a literal in a template is a second copy of the state machine."""

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "maillage"
RAW_STATUS = re.compile(r"""\.status\s*(==|!=|in)\s*["']|["'][\w ]*["']\s*(==|!=|in)\s*[\w.]*\.status\b""")


def test_no_template_compares_a_status_with_a_literal():
    found = [
        f"{path.relative_to(PACKAGE)}:{number}: {match.group(0)}"
        for path in sorted(PACKAGE.rglob("templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in RAW_STATUS.finditer(line)
    ]
    assert not found, "use the object's properties or the state sets instead:\n" + "\n".join(found)


def test_the_check_sees_the_forms_it_forbids():
    assert RAW_STATUS.search('{% if help_request.status == "declined" %}')
    assert RAW_STATUS.search("{% if 'new' == help_request.status %}")
    assert RAW_STATUS.search('{% if help_request.status in "new escalated" %}')
    assert not RAW_STATUS.search("{% if help_request.is_declined %}")
