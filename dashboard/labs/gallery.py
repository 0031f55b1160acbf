"""The gallery: every generated image on disk, its parameters in an embedded SQLite file.

Safety rules, in the order a save happens:

1. The PNG (parameters in its text chunks unless switched off) is written to a
   ``.part`` file, flushed and fsynced, then renamed to its final name: a reader
   never sees half an image under a real name.
2. Only then is the row that points to it inserted, in one transaction. The gallery
   lists rows, never files, so a file without a row (a crash between the rename and
   the commit) is invisible and :meth:`Gallery.sweep` removes it later.
3. WAL journal and a busy timeout let several sessions (threads or processes) write at
   once; every operation opens its own connection.

Deleting removes the row first, then the file. A generation key is never an argument
here, so it cannot reach a file, a row or a chunk. No streamlit here.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import time
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from lienzo.dashboard.labs import png_metadata

DATA_DIR_ENV = "LIENZO_DATA_DIR"
DB_NAME = "gallery.sqlite3"
SCHEMA_VERSION = 1
BUSY_TIMEOUT_S = 30.0
STALE_AFTER_S = 600.0  # a file without a row this old is left over from a crash

SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    file TEXT NOT NULL UNIQUE,          -- name inside images/
    project TEXT NOT NULL,
    created TEXT NOT NULL,              -- ISO 8601, UTC
    prompt TEXT NOT NULL,
    negative_prompt TEXT NOT NULL,
    seed INTEGER,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    size TEXT NOT NULL,                 -- "WxH" measured from the saved image
    params TEXT NOT NULL,               -- JSON: every other choice of the workflow
    favourite INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL DEFAULT '',
    metadata_embedded INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS images_project ON images (project, id);
"""


def default_data_dir() -> Path:
    """``LIENZO_DATA_DIR`` (environment, then ``st.secrets``), else ``~/.lienzo``.

    The same setting and default as the hosted adapters' budget counters, so one
    folder holds everything Lienzo writes. Outside any repository by default.
    """
    try:
        from lienzo.plugins.api.keys import read_setting
    except ImportError:  # the hosted adapters are optional; the environment still works

        def read_setting(name: str) -> str | None:
            return os.environ.get(name, "").strip() or None

    configured = read_setting(DATA_DIR_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".lienzo"


@dataclass(frozen=True)
class ImageRecord:
    """What is stored with one image. There is deliberately no field for a key."""

    prompt: str
    negative_prompt: str
    seed: int | None
    provider: str
    model: str
    project: str
    params: Mapping[str, Any] = field(default_factory=dict)  # JSON-able extras

    def png_texts(self, size: str) -> dict[str, str]:
        """The text chunks written into the PNG (the fields the course lists, no more)."""
        return {
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": "" if self.seed is None else str(self.seed),
            "model": self.model,
            "provider": self.provider,
            "size": size,
            "software": "Lienzo",
        }


@dataclass(frozen=True)
class GalleryEntry:
    id: int
    path: Path
    project: str
    created: str
    prompt: str
    negative_prompt: str
    seed: int | None
    provider: str
    model: str
    size: str
    params: dict[str, Any]
    favourite: bool
    note: str
    metadata_embedded: bool

    def as_row(self) -> dict[str, Any]:
        """Every parameter as one flat mapping (for JSON and CSV exports)."""
        row: dict[str, Any] = {
            "id": self.id,
            "file": self.path.name,
            "project": self.project,
            "created": self.created,
            "prompt": self.prompt,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "provider": self.provider,
            "model": self.model,
            "size": self.size,
            "favourite": self.favourite,
            "note": self.note,
            "metadata_embedded": self.metadata_embedded,
        }
        row.update({k: v for k, v in self.params.items() if k not in row})
        return row


class Gallery:
    """One gallery folder: ``gallery.sqlite3`` plus ``images/``."""

    def __init__(self, root: Path | str | None = None) -> None:
        self.root = Path(root) if root is not None else default_data_dir()
        self.db_path = self.root / DB_NAME
        self.images_dir = self.root / "images"

    # --- connections -------------------------------------------------------------------
    @contextlib.contextmanager
    def _connect(self, *, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        """A connection in autocommit mode (transactions are explicit); None when there is
        no database yet and ``create`` is false, so reading never creates files."""
        if not create and not self.db_path.exists():
            yield None
            return
        self.images_dir.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.db_path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        try:
            connection.row_factory = sqlite3.Row
            connection.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            if create:
                self._ensure_schema(connection)
            elif connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:
                # another session created the file and is creating the tables right now:
                # for a reader that is still an empty gallery, not an error
                yield None
                return
            yield connection
        finally:
            connection.close()

    @staticmethod
    def _ensure_schema(connection: sqlite3.Connection) -> None:
        if connection.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
            return
        connection.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        # Statement by statement: executescript() would commit the open transaction.
        with _transaction(connection):
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # --- writing ----------------------------------------------------------------------
    def add(
        self,
        image: bytes,
        fmt: str,
        record: ImageRecord,
        *,
        embed_metadata: bool = True,
    ) -> GalleryEntry:
        """Save one image and its row; raises LabError (and saves nothing) for bad bytes."""
        png, (width, height) = png_metadata.to_png(image, fmt)  # validate before any write
        size = f"{width}x{height}"
        png = (
            png_metadata.with_text(png, record.png_texts(size))
            if embed_metadata
            else png_metadata.without_text(png)
        )
        created = datetime.now(UTC).isoformat(timespec="seconds")
        name = f"{created[:19].replace(':', '').replace('-', '')}-{uuid.uuid4().hex[:12]}.png"
        with self._connect(create=True) as connection:
            assert connection is not None
            final = self.images_dir / name
            _write_atomically(final, png)
            try:
                with _transaction(connection):
                    cursor = connection.execute(
                        "INSERT INTO images (file, project, created, prompt, negative_prompt, "
                        "seed, provider, model, size, params, metadata_embedded) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            name,
                            record.project,
                            created,
                            record.prompt,
                            record.negative_prompt,
                            record.seed,
                            record.provider,
                            record.model,
                            size,
                            json.dumps(dict(record.params), ensure_ascii=False, default=str),
                            int(embed_metadata),
                        ),
                    )
                    entry_id = int(cursor.lastrowid)
            except BaseException:
                final.unlink(missing_ok=True)  # no row points to it: do not leave it behind
                raise
        entry = self.get(entry_id)
        assert entry is not None
        return entry

    def set_favourite(self, entry_id: int, favourite: bool) -> None:
        self._update(entry_id, "favourite", int(favourite))

    def set_note(self, entry_id: int, note: str) -> None:
        self._update(entry_id, "note", note.strip()[:1000])

    def _update(self, entry_id: int, column: str, value: Any) -> None:
        with self._connect() as connection:
            if connection is None:
                return
            with _transaction(connection):
                connection.execute(
                    f"UPDATE images SET {column} = ? WHERE id = ?", (value, entry_id)
                )

    def delete(self, entry_id: int) -> bool:
        """Remove the row, then the file; True when there was such an image."""
        with self._connect() as connection:
            if connection is None:
                return False
            with _transaction(connection):
                row = connection.execute(
                    "SELECT file FROM images WHERE id = ?", (entry_id,)
                ).fetchone()
                if row is None:
                    return False
                connection.execute("DELETE FROM images WHERE id = ?", (entry_id,))
        (self.images_dir / row["file"]).unlink(missing_ok=True)
        return True

    def sweep(self, older_than_s: float = STALE_AFTER_S) -> int:
        """Remove leftovers of crashed saves (``.part`` files, files no row points to).

        Only files older than ``older_than_s`` go: a younger one may belong to a save
        another session is finishing right now.
        """
        if not self.images_dir.is_dir():
            return 0
        with self._connect() as connection:
            listed = (
                {r["file"] for r in connection.execute("SELECT file FROM images")}
                if connection is not None
                else set()
            )
        now, removed = time.time(), 0
        for path in self.images_dir.iterdir():
            leftover = path.name.endswith(".part") or (
                path.suffix == ".png" and path.name not in listed
            )
            try:
                if leftover and now - path.stat().st_mtime >= older_than_s:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue  # another session swept it first
        return removed

    # --- reading ----------------------------------------------------------------------
    def entries(
        self, project: str | None = None, *, favourites_only: bool = False
    ) -> list[GalleryEntry]:
        """Saved images, newest first; rows whose file has gone missing are skipped."""
        query, args = "SELECT * FROM images", []
        conditions = []
        if project is not None:
            conditions.append("project = ?")
            args.append(project)
        if favourites_only:
            conditions.append("favourite = 1")
        if conditions:
            query += " WHERE " + " AND ".join(conditions)
        query += " ORDER BY id DESC"
        with self._connect() as connection:
            rows = connection.execute(query, args).fetchall() if connection else []
        found = [self._entry(row) for row in rows]
        return [entry for entry in found if entry.path.is_file()]

    def get(self, entry_id: int) -> GalleryEntry | None:
        with self._connect() as connection:
            row = (
                connection.execute("SELECT * FROM images WHERE id = ?", (entry_id,)).fetchone()
                if connection
                else None
            )
        return self._entry(row) if row is not None else None

    def projects(self) -> list[str]:
        with self._connect() as connection:
            if connection is None:
                return []
            rows = connection.execute(
                "SELECT project, MAX(id) AS last FROM images GROUP BY project ORDER BY last DESC"
            ).fetchall()
        return [row["project"] for row in rows]

    def integrity(self) -> str:
        """SQLite's own check: "ok" when the file is sound."""
        with self._connect() as connection:
            if connection is None:
                return "ok"
            return str(connection.execute("PRAGMA integrity_check").fetchone()[0])

    def _entry(self, row: sqlite3.Row) -> GalleryEntry:
        return GalleryEntry(
            id=int(row["id"]),
            path=self.images_dir / row["file"],
            project=row["project"],
            created=row["created"],
            prompt=row["prompt"],
            negative_prompt=row["negative_prompt"],
            seed=row["seed"],
            provider=row["provider"],
            model=row["model"],
            size=row["size"],
            params=json.loads(row["params"]),
            favourite=bool(row["favourite"]),
            note=row["note"],
            metadata_embedded=bool(row["metadata_embedded"]),
        )


@contextlib.contextmanager
def _transaction(connection: sqlite3.Connection) -> Iterator[None]:
    """BEGIN IMMEDIATE takes the write lock up front, so two writers queue (busy
    timeout) instead of deadlocking when both try to upgrade a read lock."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _write_atomically(final: Path, data: bytes) -> None:
    """Write ``data`` to ``final`` so the name only ever holds the whole file."""
    partial = final.with_name(f".{final.name}.part")
    try:
        with open(partial, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, final)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _fsync_dir(final.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
