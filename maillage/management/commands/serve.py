"""`make serve`: production in one command, under one process tree."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from maillage import deployment

STOP_GRACE_SECONDS = 20  # gunicorn's graceful timeout is 30: a request in flight may finish


class Command(BaseCommand):
    help = (
        "Production in one command: refuse an unsafe configuration (.env and environment), migrate, collect "
        "static files, then run gunicorn, the task worker and the scheduled jobs until SIGTERM."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        parser.add_argument("--check", action="store_true", help="Only say whether the configuration is safe")

    def handle(self, *args, host, port, workers, check=False, **options):
        if problems := deployment.problems():
            raise CommandError(
                "Maillage does not start in production with this configuration:\n- " + "\n- ".join(problems)
            )
        if check:
            self.stdout.write("The configuration is safe for production.")
            return
        call_command("migrate", interactive=False, verbosity=1, stdout=self.stdout)
        if settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
            call_command("createcachetable")
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(f"Maillage: gunicorn on {host}:{port} ({workers} workers), task worker, scheduled jobs")
        python, manage = sys.executable, str(Path(settings.BASE_DIR) / "manage.py")
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        forwarded_from = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")  # the proxy's address
        web = [gunicorn, "maillage.wsgi", "--bind", f"{host}:{port}", "--workers", str(workers)]
        commands = [
            [*web, "--forwarded-allow-ips", forwarded_from],
            [python, manage, "db_worker"],
            [python, manage, "run_scheduler"],
        ]
        # Our own programs, from the virtual environment that runs this one: no input of anyone's.
        children = [subprocess.Popen(command) for command in commands]  # noqa: S603
        sys.exit(supervise(children))


def supervise(children):
    """Wait until SIGTERM (or Ctrl+C), or until a child ends; then end the others by their PIDs.

    0 when asked to stop; 1 when a child ended by itself (systemd or the container restarts the whole).
    """
    stopping = []
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.append(True))
    ended = None
    while not stopping and ended is None:
        ended = next((child for child in children if child.poll() is not None), None)
        time.sleep(0.2)
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    return 0 if stopping and ended is None else 1
