"""The small JSON progress files that background jobs (the Excel import, the 提案汇编) write and that their pages
poll with htmx: written atomically, so that a poll never reads half a file, and read leniently, so that a
missing, half-gone or foreign file shows as "no progress yet" instead of an error page."""

from __future__ import annotations

import json
import os
from pathlib import Path


def write_json_atomically(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temporary name carries the process id: two workers writing the same file never share a half-written one.
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data))
    os.replace(tmp, path)


def read_json_object(path: Path, default: dict) -> dict:
    """The JSON object in path, or a copy of default when there is none (no file, not JSON, not an object)."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return dict(default)
    return data if isinstance(data, dict) else dict(default)


def write_progress_file(path: Path, phase: str, done: int, total: int) -> None:
    write_json_atomically(path, {"phase": phase, "done": done, "total": total})


def read_progress_file(path: Path) -> dict:
    """{"phase", "done", "total"}; an empty phase when the job has written nothing (yet)."""
    return read_json_object(path, {"phase": "", "done": 0, "total": 0})
