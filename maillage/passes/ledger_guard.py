"""The ledger's guarantees in the database itself, for every client, not only Django.

- Both ledger tables are append-only (maillage/append_only.py).
- On PostgreSQL, a deferred constraint trigger checks at commit that every transaction touched
  sums to zero: a partial or unbalanced posting cannot commit. SQLite has no deferred triggers:
  there, ``ledger.post`` is the only writer and ``check_ledger`` proves the sums.
"""

from maillage.append_only import AppendOnlyGuard

MESSAGE = "the ledger is append-only"
GUARDS = [AppendOnlyGuard("passes_ledgertransaction", MESSAGE), AppendOnlyGuard("passes_ledgerentry", MESSAGE)]
UNBALANCED = "ledger transaction does not sum to zero"  # the trigger's message below

POSTGRESQL_BALANCE_INSTALL = [
    """CREATE OR REPLACE FUNCTION passes_ledger_balanced() RETURNS trigger AS $$
        BEGIN
          IF (SELECT SUM(amount_cents) FROM passes_ledgerentry WHERE transaction_id = NEW.transaction_id) <> 0 THEN
            RAISE EXCEPTION 'ledger transaction does not sum to zero (%)', NEW.transaction_id;
          END IF;
          RETURN NULL;
        END; $$ LANGUAGE plpgsql;""",
    "DROP TRIGGER IF EXISTS passes_ledger_balanced ON passes_ledgerentry;",
    """CREATE CONSTRAINT TRIGGER passes_ledger_balanced AFTER INSERT ON passes_ledgerentry
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION passes_ledger_balanced();""",
]
POSTGRESQL_BALANCE_REMOVE = [
    "DROP TRIGGER IF EXISTS passes_ledger_balanced ON passes_ledgerentry;",
    "DROP FUNCTION IF EXISTS passes_ledger_balanced();",
]


def _run(connection, statements):
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection):
    for guard in GUARDS:
        guard.install(connection)
    if connection.vendor == "postgresql":
        _run(connection, POSTGRESQL_BALANCE_INSTALL)


def remove(connection):
    for guard in GUARDS:
        guard.remove(connection)
    if connection.vendor == "postgresql":
        _run(connection, POSTGRESQL_BALANCE_REMOVE)
