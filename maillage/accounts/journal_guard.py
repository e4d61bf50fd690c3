"""Database triggers that make the audit journal append-only for every client, not only Django.

PostgreSQL: row-level triggers refuse UPDATE and DELETE. TRUNCATE (a table owner's operation,
used by the test suite to empty the database between browser tests) is not a row change and
stays possible for the owner. SQLite has no TRUNCATE: the test suite lifts the triggers for the
flush between browser tests (tests/conftest.py, ``live_world``), the only place that does.
"""

TABLE = "accounts_auditevent"
MESSAGE = "the audit journal is append-only"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{event.lower()} BEFORE {event} ON {TABLE} "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"
    for event in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_update;", f"DROP TRIGGER IF EXISTS {TABLE}_no_delete;"]

POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse_change() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql;""",
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"""CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse_change();""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE};",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse_change();",
]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection):
    _run(connection, {"sqlite": SQLITE_INSTALL, "postgresql": POSTGRESQL_INSTALL}.get(connection.vendor, []))


def remove(connection):
    _run(connection, {"sqlite": SQLITE_REMOVE, "postgresql": POSTGRESQL_REMOVE}.get(connection.vendor, []))
