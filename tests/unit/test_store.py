"""The store gives a deleted job's space back to the file system (SQLite incremental vacuum)."""

import os

from nnplay.jobs.store import JobRow, Store, now_iso


def test_deleting_a_job_shrinks_the_sqlite_file(tmp_path):
    path = tmp_path / "nnplay.db"
    store = Store(f"sqlite:///{path}")
    for job_id in ("a" * 32, "b" * 32):
        store.add_job(JobRow(id=job_id, name="x", spec={}, status="completed", created_at=now_iso(), last_seq=0))
    store.append_messages("a" * 32, [(i, "metrics", i, "x" * 2000) for i in range(1, 5001)])
    store.append_messages("b" * 32, [(1, "metrics", 1, "kept")])
    store.release_space()
    full = os.path.getsize(path)
    store.delete_job("a" * 32)
    assert os.path.getsize(path) < full / 20  # ~10 MB of messages gone from the file, not only freed
    assert store.messages("b" * 32) == ["kept"] and store.messages("a" * 32) == []


def test_a_database_made_before_switches_to_incremental_vacuum(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()  # auto_vacuum off (0)
    store = Store(f"sqlite:///{path}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 2
