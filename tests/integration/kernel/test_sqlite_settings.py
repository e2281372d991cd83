"""Every SQLite connection gets the settings that the import and concurrent writers rely on."""

from __future__ import annotations

from pathlib import Path

from ordertower.kernel.db import SQLITE_WAL_CHECKPOINT_PAGES, Database


def test_sqlite_connection_settings(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'settings.db'}")
    try:
        with database.engine.connect() as connection:
            settings = {
                name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "wal_autocheckpoint")
            }
    finally:
        database.dispose()

    assert settings["journal_mode"] == "wal"
    # 1 is NORMAL: in WAL mode a commit does not wait for the disk. A power loss may lose the last commits
    # but leaves the database consistent.
    assert settings["synchronous"] == 1
    assert settings["foreign_keys"] == 1
    assert settings["wal_autocheckpoint"] == SQLITE_WAL_CHECKPOINT_PAGES
