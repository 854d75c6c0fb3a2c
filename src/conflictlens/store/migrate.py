"""Schema migrations run in code: every Store brings its database to the head revision on open.

A new migration: write migrations/versions/NNNN_what.py by hand (see 0001_initial.py), or start one
from the template with `alembic.command.revision(alembic_config(), "what", rev_id="NNNN")`, then
change schema.py to match; tests/test_store.py checks that the two agree.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


class SchemaError(RuntimeError):
    """The database carries a schema revision this version of conflictlens does not know."""


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic Config without an ini file; env.py migrates `connection` when one is given."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise SchemaError(f"no migrations found in {MIGRATIONS_DIR}")
    return head


def current_revision(connection: Connection) -> str | None:
    """The revision in the database's alembic_version table; None for a database never migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Migrate a fresh or older database to head; refuse one written by a newer conflictlens."""
    known = {
        script.revision for script in ScriptDirectory.from_config(alembic_config()).walk_revisions()
    }
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        current = current_revision(connection)
        if current is not None and current not in known:
            raise SchemaError(
                f"the database is at schema revision {current!r}, which this conflictlens does not "
                f"know (its newest is {head_revision()!r}): upgrade conflictlens to open it"
            )
        connection.commit()
        if sqlite:
            # SQLite batch migrations copy and drop tables, which enforced foreign keys would block;
            # the pragma only takes effect outside a transaction.
            _set_sqlite_foreign_keys(connection, enabled=False)
        try:
            with connection.begin():
                if sqlite:
                    _begin_sqlite_write(connection)
                command.upgrade(alembic_config(connection), "head")
        finally:
            if sqlite:
                _restore_sqlite_transactions(connection)
                _set_sqlite_foreign_keys(connection, enabled=True)


def _begin_sqlite_write(connection: Connection) -> None:
    """One SQLite transaction for the whole migration, holding the write lock from the start.

    Python's sqlite3 opens transactions only before INSERT, UPDATE and DELETE, so CREATE TABLE would
    commit on its own: a process killed while migrating a fresh file left tables without a revision,
    which every later open tried to create again. Another process opening the same file meanwhile
    waits for the lock, then finds the revision done.
    """
    dbapi_connection = connection.connection.dbapi_connection
    assert dbapi_connection is not None
    dbapi_connection.isolation_level = None  # sqlite3 leaves BEGIN and COMMIT to us...
    dbapi_connection.execute("BEGIN IMMEDIATE")  # ...and commit() still ends this transaction


def _restore_sqlite_transactions(connection: Connection) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    if dbapi_connection is not None:
        dbapi_connection.isolation_level = ""  # sqlite3's default: BEGIN before writes


def _set_sqlite_foreign_keys(connection: Connection, *, enabled: bool) -> None:
    connection.exec_driver_sql(f"PRAGMA foreign_keys={'ON' if enabled else 'OFF'}")
    connection.commit()
