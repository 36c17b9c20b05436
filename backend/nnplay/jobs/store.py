"""Persistence of jobs and their messages with SQLAlchemy (SQLite by default; any SQL URL works).

Messages are stored as the exact JSON text sent on the websocket, keyed by ``(job_id, seq)``.
Timestamps are ISO-8601 strings in UTC.
"""

import threading
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import (JSON, ForeignKey, Integer, String, Text, create_engine, delete, event, func, insert,
                        inspect, select, text, update)
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column


class Base(DeclarativeBase):
    pass


class JobRow(Base):
    __tablename__ = "jobs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    spec: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_at: Mapped[str] = mapped_column(String(40), index=True)
    started_at: Mapped[str | None] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(Text)
    final: Mapped[dict | None] = mapped_column(JSON)
    last_seq: Mapped[int] = mapped_column(Integer, default=0)
    race_id: Mapped[str | None] = mapped_column(String(32), index=True, nullable=True)
    placement: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # where its latest run trained


class RaceRow(Base):
    """A group of jobs differing in one setting (``field``); ``job_ids[i]`` ran ``values[i]``."""

    __tablename__ = "races"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(64))
    values: Mapped[list] = mapped_column(JSON)
    job_ids: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[str] = mapped_column(String(40), index=True)


class MessageRow(Base):
    __tablename__ = "messages"

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    type: Mapped[str] = mapped_column(String(32))
    step: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)


def now_iso() -> str:
    """Current UTC time, ISO-8601 with a ``Z`` suffix."""
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Store:
    """Thread-safe access to the jobs and messages tables."""

    def __init__(self, url: str):
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        kwargs = {"connect_args": {"check_same_thread": False}} if url.startswith("sqlite") else {}
        self.engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:
            _incremental_vacuum_mode(self.engine)
        Base.metadata.create_all(self.engine)
        _add_missing_columns(self.engine)
        self._lock = threading.Lock()

    def add_job(self, row: JobRow) -> None:
        with self._lock, Session(self.engine) as s:
            s.add(row)
            s.commit()

    def get_job(self, job_id: str) -> JobRow | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(JobRow, job_id)

    def list_jobs(self, status: str | None = None, limit: int = 1000) -> list[JobRow]:
        query = select(JobRow).order_by(JobRow.created_at.desc()).limit(limit)
        if status:
            query = query.where(JobRow.status == status)
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.scalars(query))

    def count_jobs(self) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(JobRow))

    def update_job(self, job_id: str, **values) -> None:
        with self._lock, Session(self.engine) as s:
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
            s.commit()

    def append_messages(self, job_id: str, rows: list[tuple[int, str, int, str]], **job_values) -> None:
        """Insert ``(seq, type, step, body)`` rows and update the job (``last_seq`` and any values)."""
        if not rows and not job_values:
            return
        with self._lock, Session(self.engine) as s:
            if s.get(JobRow, job_id) is None:
                return  # deleted meanwhile: a run that has not yet ended writes nothing
            if rows:  # Core executemany: no ORM object per message
                s.execute(insert(MessageRow), [{"job_id": job_id, "seq": q, "type": t, "step": st, "body": b}
                                               for q, t, st, b in rows])
            values = {**({"last_seq": rows[-1][0]} if rows else {}), **job_values}
            s.execute(update(JobRow).where(JobRow.id == job_id).values(**values))
            s.commit()

    def messages(self, job_id: str, after: int = 0, types: tuple[str, ...] | None = None,
                 before: int | None = None) -> list[str]:
        """JSON texts of a job's messages with ``after < seq < before``, in ``seq`` order."""
        query = select(MessageRow.body).where(MessageRow.job_id == job_id, MessageRow.seq > after)
        if before is not None:
            query = query.where(MessageRow.seq < before)
        if types:
            query = query.where(MessageRow.type.in_(types))
        with Session(self.engine) as s:
            return list(s.scalars(query.order_by(MessageRow.seq)))

    def messages_page(self, job_id: str, after: int, before: int | None, limit: int) -> list[tuple[int, str]]:
        """At most ``limit`` ``(seq, text)`` of a job's messages with ``after < seq < before``, in order:
        a client reads a long history a page at a time."""
        query = select(MessageRow.seq, MessageRow.body).where(MessageRow.job_id == job_id, MessageRow.seq > after)
        if before is not None:
            query = query.where(MessageRow.seq < before)
        with Session(self.engine) as s:
            return [tuple(r) for r in s.execute(query.order_by(MessageRow.seq).limit(limit))]

    def latest_message(self, job_id: str, kind: str) -> str | None:
        """JSON text of a job's last stored message of type ``kind``, or None."""
        query = (select(MessageRow.body).where(MessageRow.job_id == job_id, MessageRow.type == kind)
                 .order_by(MessageRow.seq.desc()).limit(1))
        with Session(self.engine) as s:
            return s.scalar(query)

    def count_messages(self, job_id: str, kind: str) -> int:
        with Session(self.engine) as s:
            return s.scalar(select(func.count()).select_from(MessageRow)
                            .where(MessageRow.job_id == job_id, MessageRow.type == kind))

    def thin_messages(self, job_id: str, kind: str) -> int:
        """Delete every second stored message of type ``kind`` (the first and the latest kept, the rest
        spread evenly over the run); returns how many remain."""
        with self._lock, Session(self.engine) as s:
            seqs = list(s.scalars(select(MessageRow.seq).where(MessageRow.job_id == job_id, MessageRow.type == kind)
                                  .order_by(MessageRow.seq)))
            doomed = seqs[1:-1:2]
            s.execute(delete(MessageRow).where(MessageRow.job_id == job_id, MessageRow.seq.in_(doomed)))
            s.commit()
            return len(seqs) - len(doomed)

    def truncate_messages(self, job_id: str, after: int) -> None:
        """Delete a job's messages with ``seq > after`` and set its ``last_seq`` to ``after``."""
        with self._lock, Session(self.engine) as s:
            s.execute(delete(MessageRow).where(MessageRow.job_id == job_id, MessageRow.seq > after))
            s.execute(update(JobRow).where(JobRow.id == job_id).values(last_seq=after))
            s.commit()

    def add_race(self, race: RaceRow, jobs: list[JobRow]) -> None:
        """Store a race and its jobs in one transaction."""
        with self._lock, Session(self.engine, expire_on_commit=False) as s:
            s.add_all([race, *jobs])
            s.commit()

    def get_race(self, race_id: str) -> RaceRow | None:
        with Session(self.engine, expire_on_commit=False) as s:
            return s.get(RaceRow, race_id)

    def list_races(self, limit: int = 1000) -> list[RaceRow]:
        with Session(self.engine, expire_on_commit=False) as s:
            return list(s.scalars(select(RaceRow).order_by(RaceRow.created_at.desc()).limit(limit)))

    def delete_job(self, job_id: str) -> None:
        """Delete a job and its messages; on SQLite the freed pages go back to the file system."""
        with self._lock, Session(self.engine) as s:
            s.execute(delete(MessageRow).where(MessageRow.job_id == job_id))
            s.execute(delete(JobRow).where(JobRow.id == job_id))
            s.commit()
        self.release_space()

    def release_space(self) -> None:
        """SQLite: return free pages to the file system (``PRAGMA incremental_vacuum``) and truncate the
        write-ahead log. Other databases reclaim space themselves (PostgreSQL's autovacuum)."""
        if not self.sqlite:
            return
        with self._lock:
            raw = self.engine.raw_connection()
            try:
                # executescript steps the statement to the end (execute frees one page only)
                raw.driver_connection.executescript("PRAGMA incremental_vacuum; PRAGMA wal_checkpoint(TRUNCATE);")
            finally:
                raw.close()


def _add_missing_columns(engine) -> None:
    """Databases made before a column existed get it (``ALTER TABLE ... ADD COLUMN``, nullable)."""
    have = {c["name"] for c in inspect(engine).get_columns("jobs")}
    if "race_id" not in have:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE jobs ADD COLUMN race_id VARCHAR(32)"))
    if "placement" not in have:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE jobs ADD COLUMN placement JSON"))


def _incremental_vacuum_mode(engine) -> None:
    """Put a SQLite file in ``auto_vacuum = INCREMENTAL`` mode (a file made before needs one ``VACUUM``
    to switch), so deleting a job's messages can give their space back."""
    with engine.connect() as conn:
        if conn.exec_driver_sql("PRAGMA auto_vacuum").scalar() == 2:
            return
        conn.exec_driver_sql("PRAGMA auto_vacuum = INCREMENTAL")
        conn.commit()
        conn.exec_driver_sql("VACUUM")


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
