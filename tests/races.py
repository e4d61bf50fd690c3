"""Races for the tests that prove a guarantee under concurrency (PostgreSQL: SQLite serialises writers)."""

import threading

from django.db import connection


def race(*jobs):
    """Run the jobs in threads released together; return the errors they raised (there should be none)."""
    barrier, errors = threading.Barrier(len(jobs)), []

    def run(job):
        barrier.wait()
        try:
            job()
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
