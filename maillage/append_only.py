"""Database triggers that make a table append-only for every client, not only Django.

PostgreSQL: row-level triggers refuse UPDATE and DELETE. TRUNCATE (a table owner's operation,
used by the test suite to empty the database between browser tests) is not a row change and
stays possible for the owner. SQLite has no TRUNCATE: the test suite lifts the triggers for the
flush between browser tests (tests/conftest.py, ``live_world``), the only place that does; the
post_migrate signal that follows the flush puts them back.
"""


class AppendOnlyGuard:
    def __init__(self, table, message):
        self.table = table
        self.message = message

    def _statements(self, vendor, installing):
        table, message = self.table, self.message
        if vendor == "sqlite":
            if installing:
                return [
                    f"CREATE TRIGGER IF NOT EXISTS {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
                    for event in ("UPDATE", "DELETE")
                ]
            return [f"DROP TRIGGER IF EXISTS {table}_no_update;", f"DROP TRIGGER IF EXISTS {table}_no_delete;"]
        if vendor == "postgresql":
            if installing:
                return [
                    f"""CREATE OR REPLACE FUNCTION {table}_refuse_change() RETURNS trigger AS $$
                        BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql;""",
                    f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
                    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                        FOR EACH ROW EXECUTE FUNCTION {table}_refuse_change();""",
                ]
            return [
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};",
                f"DROP FUNCTION IF EXISTS {table}_refuse_change();",
            ]
        return []

    def _run(self, connection, installing):
        with connection.cursor() as cursor:
            for statement in self._statements(connection.vendor, installing):
                cursor.execute(statement)

    def install(self, connection):
        self._run(connection, installing=True)

    def remove(self, connection):
        self._run(connection, installing=False)
