"""`make run`, as a newcomer starts it on another port: the product's own pages (a cut link finds the
product's 404 with the help line, never Django's debug page in English), and links in messages that
point to this server, not to port 8000.

It runs the real command in a subprocess, on a database of its own, bounded in time.
"""

import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')
STARTED_WITHIN, MESSAGE_WITHIN = 180, 60  # seconds: migrations and the demo, then the worker's next poll


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Output:
    """The lines a process writes, read as they come, so that the test can wait for one."""

    def __init__(self, stream):
        self.lines = []
        threading.Thread(target=lambda: self.lines.extend(stream), daemon=True).start()

    def wait_for(self, pattern, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if found := next((match for line in list(self.lines) if (match := re.search(pattern, line))), None):
                return found
            time.sleep(0.25)
        raise AssertionError(f"{pattern!r} not written within {seconds} s:\n" + "".join(self.lines[-30:]))


@pytest.fixture(scope="module")
def make_run(tmp_path_factory):
    port = free_port()
    environment = {
        **{key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "SITE_URL", "DEBUG")},
        "DATABASE_URL": f"sqlite:///{tmp_path_factory.mktemp('make-run') / 'maillage.sqlite3'}",
        "PYTHONUNBUFFERED": "1",  # the worker's text messages reach the pipe as they are sent
    }
    process = subprocess.Popen(
        ["make", "-s", "run", f"PORT={port}"],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: ended whole, by its own id
    )
    output = Output(process.stdout)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTED_WITHIN
        while True:
            try:
                requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("make run did not start:\n" + "".join(output.lines[-30:])) from None
                time.sleep(0.5)
        yield base, output
    finally:
        os.killpg(process.pid, 15)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait(timeout=10)


def test_a_cut_link_shows_the_product_404_with_the_help_line(make_run):
    base, _output = make_run
    response = requests.get(base + "/besoin-d-aide/suivi/cut-in-the-middl/", timeout=10)
    assert response.status_code == 404
    assert "Page introuvable" in response.text and 'href="tel:' in response.text.split("<main")[1]
    assert "URLconf" not in response.text and "DEBUG = True" not in response.text


def test_the_link_a_text_message_gives_points_to_this_server(make_run):
    base, output = make_run
    session = requests.Session()
    page = session.get(base + "/besoin-d-aide/", timeout=10).text
    for answers in (
        {"need": "demarches", "for_whom": "me"},
        {"where": "Angers (49000)"},
        {"contact": "sms", "phone": "06 12 34 56 78", "consent": "on"},
    ):
        carried = {name: value for name, value in HIDDEN.findall(page) if name not in answers}
        response = session.post(base + "/besoin-d-aide/", data={**carried, **answers}, timeout=10)
        assert response.status_code == 200, response.text[:500]
        page = response.text
    assert "/besoin-d-aide/suivi/" in page  # the confirmation
    link = output.wait_for(r"SMS to \+33612345678: .*?(https?://[^\s]+)", MESSAGE_WITHIN).group(1)
    assert link.startswith(base + "/besoin-d-aide/suivi/")
    assert session.get(link, timeout=10).status_code == 200
