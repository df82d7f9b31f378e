"""A SQLite journal of task records, so finished tasks survive a server restart.

``sqlite3`` is imported by the journal itself: a server without one does not load it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .tasks import Task

_SCHEMA = "CREATE TABLE IF NOT EXISTS tasks (task_id TEXT PRIMARY KEY, record TEXT NOT NULL)"


class TaskJournal:
    """One row per task holding its latest state as JSON (runners are not persisted)."""

    def __init__(self, path: Path) -> None:
        import sqlite3

        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(_SCHEMA)

    def save(self, task: Task) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO tasks (task_id, record) VALUES (?, ?)",
            (task.task_id, json.dumps(task.record())),
        )

    def delete(self, task_id: str) -> None:
        self._db.execute("DELETE FROM tasks WHERE task_id = ?", (task_id,))

    def load(self) -> list[Task]:
        from .tasks import Task

        return [
            Task.from_record(task_id, json.loads(raw))
            for task_id, raw in self._db.execute("SELECT task_id, record FROM tasks")
        ]
