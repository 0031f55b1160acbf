"""A budget of paid generations for hosted classrooms, checked before any network call.

The teacher sets ``LIENZO_BUDGET_PER_SESSION`` and/or ``LIENZO_BUDGET_PER_DAY``
(environment or ``st.secrets``; unset means no limit, 0 means no paid generations).
Counters live in an SQLite file, ``$LIENZO_DATA_DIR/budget.sqlite3`` (default
``~/.lienzo``), so they survive a restart. Every check-and-count is one
``BEGIN IMMEDIATE`` transaction: concurrent sessions, threads or processes cannot
both take the last generation. The day is the server's local calendar day.

Usage: ``reservation = guard.reserve(session, n)`` before the request; when the
request fails in a way the provider did not bill, ``reservation.release()``.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from lienzo.plugins.api.errors import BudgetExceeded
from lienzo.plugins.api.keys import read_setting
from lienzo.registry.spec import ConfigError

PER_SESSION_SETTING = "LIENZO_BUDGET_PER_SESSION"
PER_DAY_SETTING = "LIENZO_BUDGET_PER_DAY"
DATA_DIR_SETTING = "LIENZO_DATA_DIR"
DB_NAME = "budget.sqlite3"


def data_dir() -> Path:
    """Where Lienzo keeps its files: ``LIENZO_DATA_DIR``, else ``~/.lienzo``."""
    configured = read_setting(DATA_DIR_SETTING)
    return Path(configured).expanduser() if configured else Path.home() / ".lienzo"


def _limit(name: str) -> int | None:
    raw = read_setting(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = -1
    if value < 0:
        raise ConfigError(
            {
                "es": f"El ajuste {name} debe ser un número entero de 0 en adelante "
                f"(vacío = sin límite), no «{raw}».",
                "en": f"The setting {name} must be a whole number from 0 up "
                f"(empty = no limit), not '{raw}'.",
            }
        )
    return value


@dataclass(frozen=True)
class BudgetStatus:
    """What the page shows as "generations left"; None means no limit."""

    per_session: int | None
    per_day: int | None
    used_session: int
    used_day: int

    @property
    def limited(self) -> bool:
        return self.per_session is not None or self.per_day is not None

    @property
    def session_left(self) -> int | None:
        return None if self.per_session is None else max(0, self.per_session - self.used_session)

    @property
    def day_left(self) -> int | None:
        return None if self.per_day is None else max(0, self.per_day - self.used_day)

    @property
    def left(self) -> int | None:
        """Generations this session may still make (the tighter of both limits)."""
        known = [n for n in (self.session_left, self.day_left) if n is not None]
        return min(known) if known else None


class Reservation:
    """Generations counted ahead of a request; ``release`` gives them back once."""

    def __init__(self, guard: BudgetGuard | None, session: str, day: str, count: int):
        self._guard, self.session, self.day, self.count = guard, session, day, count

    def release(self) -> None:
        if self._guard is not None and self.count:
            self._guard._give_back(self.session, self.day, self.count)
        self.count = 0

    def settle(self, used: int) -> None:
        """Keep only ``used`` of the reserved generations (fewer images came back)."""
        if 0 <= used < self.count and self._guard is not None:
            self._guard._give_back(self.session, self.day, self.count - used)
            self.count = used


class BudgetGuard:
    """Per-session and per-day limits on paid generations, persisted in SQLite."""

    def __init__(
        self,
        per_session: int | None = None,
        per_day: int | None = None,
        path: Path | str | None = None,
        today: Callable[[], dt.date] = dt.date.today,
    ):
        for value in (per_session, per_day):
            if value is not None and value < 0:
                raise ValueError("budget limits must be >= 0 or None")
        self.per_session, self.per_day = per_session, per_day
        self.path = Path(path) if path is not None else data_dir() / DB_NAME
        self._today = today

    @classmethod
    def from_settings(cls) -> BudgetGuard:
        """The guard the teacher configured (no limits when nothing is set)."""
        return cls(_limit(PER_SESSION_SETTING), _limit(PER_DAY_SETTING))

    @property
    def limited(self) -> bool:
        return self.per_session is not None or self.per_day is not None

    def __repr__(self) -> str:
        return (
            f"BudgetGuard(per_session={self.per_session}, per_day={self.per_day}, "
            f"path='{self.path}')"
        )

    # -- storage ----------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode: transactions are opened explicitly with BEGIN IMMEDIATE
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS usage (day TEXT NOT NULL, session TEXT NOT NULL, "
            "used INTEGER NOT NULL, PRIMARY KEY (day, session))"
        )
        return connection

    @staticmethod
    def _used(connection: sqlite3.Connection, session: str, day: str) -> tuple[int, int]:
        by_session = connection.execute(
            "SELECT COALESCE(SUM(used), 0) FROM usage WHERE session = ?", (session,)
        ).fetchone()[0]
        by_day = connection.execute(
            "SELECT COALESCE(SUM(used), 0) FROM usage WHERE day = ?", (day,)
        ).fetchone()[0]
        return int(by_session), int(by_day)

    # -- public API -------------------------------------------------------------------
    def status(self, session: str) -> BudgetStatus:
        if not self.limited:
            return BudgetStatus(None, None, 0, 0)
        with closing(self._connect()) as connection:
            used_session, used_day = self._used(connection, session, self._today().isoformat())
        return BudgetStatus(self.per_session, self.per_day, used_session, used_day)

    def reserve(self, session: str, count: int, provider: str = "") -> Reservation:
        """Count ``count`` paid generations now, or raise BudgetExceeded (nothing counted)."""
        if count < 1:
            raise ValueError("count must be >= 1")
        day = self._today().isoformat()
        if not self.limited:
            return Reservation(None, session, day, count)
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")  # write lock: check and count atomically
            try:
                used_session, used_day = self._used(connection, session, day)
                status = BudgetStatus(self.per_session, self.per_day, used_session, used_day)
                for scope, left, limit in (
                    ("session", status.session_left, self.per_session),
                    ("day", status.day_left, self.per_day),
                ):
                    if left is not None and limit is not None and count > left:
                        raise BudgetExceeded(provider, scope, limit, left, count)
                connection.execute(
                    "INSERT INTO usage (day, session, used) VALUES (?, ?, ?) "
                    "ON CONFLICT (day, session) DO UPDATE SET used = used + excluded.used",
                    (day, session, count),
                )
                connection.execute("COMMIT")
            except BaseException:
                connection.execute("ROLLBACK")
                raise
        return Reservation(self, session, day, count)

    def _give_back(self, session: str, day: str, count: int) -> None:
        with closing(self._connect()) as connection:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(
                "UPDATE usage SET used = MAX(0, used - ?) WHERE day = ? AND session = ?",
                (count, day, session),
            )
            connection.execute("COMMIT")
