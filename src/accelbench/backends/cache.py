"""On-disk cache of converted models (ONNX files, OpenVINO IR), content-keyed and LRU-bounded by size."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_MAX_SIZE_GB = 20.0
_KEY_FILE = "key.json"
_USED_FILE = ".last_used"


def default_cache_dir() -> Path:
    """`$ACCELBENCH_CACHE_DIR`, else ~/.cache/accelbench/artifacts."""
    env = os.environ.get("ACCELBENCH_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "accelbench" / "artifacts"


def artifact_key(key_parts: dict[str, Any]) -> str:
    """Content hash (sha256 hex, 32 chars) of the key parts; order of the dict does not matter."""
    text = json.dumps(key_parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ArtifactCache:
    """Directory of artifacts, one sub-directory per key; least-recently-used evicted past `max_size_gb`."""

    def __init__(self, root: str | Path | None = None, max_size_gb: float | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        if max_size_gb is None:  # `accelbench run --cache-size-gb` sets this for its task processes
            max_size_gb = float(os.environ.get("ACCELBENCH_CACHE_SIZE_GB", DEFAULT_MAX_SIZE_GB))
        self.max_size_bytes = int(max_size_gb * 2**30)
        self.builds = 0  # artifacts built by this instance (a hit does not count)
        self.hits = 0

    def get_or_create(self, key_parts: dict[str, Any], build: Callable[[Path], object]) -> Path:
        """Directory holding the artifact for `key_parts`; `build(dir)` writes it there on a miss."""
        key = artifact_key(key_parts)
        final = self.root / key
        if (final / _KEY_FILE).exists():
            self.hits += 1
            self._touch(final)
            return final
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{key}-", dir=self.root))
        try:
            build(tmp)
            # key.json is written last: its presence marks a complete entry.
            (tmp / _KEY_FILE).write_text(json.dumps(key_parts, sort_keys=True, default=str, indent=1))
            try:
                os.rename(tmp, final)  # atomic; fails if another process finished first
            except OSError:
                if not (final / _KEY_FILE).exists():
                    raise
                shutil.rmtree(tmp, ignore_errors=True)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        self.builds += 1
        self._touch(final)
        self.evict(keep=key)
        return final

    def keys(self) -> list[str]:
        """Keys of the complete entries, most recently used first."""
        return [p.name for p in self._entries()]

    def entries(self) -> list[dict[str, Any]]:
        """Key parts of each complete entry (family, size, backend, ...), most recently used first."""
        out = []
        for p in self._entries():
            parts = json.loads((p / _KEY_FILE).read_text())
            out.append({"key": p.name, "size_bytes": _dir_size(p), **parts})
        return out

    def size_bytes(self) -> int:
        """Total size in bytes of the complete entries."""
        return sum(_dir_size(p) for p in self._entries())

    def evict(self, keep: str | None = None) -> list[str]:
        """Remove least-recently-used entries until the total fits `max_size_bytes`; returns removed keys."""
        entries = self._entries()
        sizes = {p.name: _dir_size(p) for p in entries}
        total = sum(sizes.values())
        removed = []
        for p in reversed(entries):  # oldest first
            if total <= self.max_size_bytes:
                break
            if p.name == keep:
                continue  # never evict what the caller is about to load, even if alone it is too big
            # Rename first so a concurrent reader never sees a half-deleted entry as complete.
            trash = self.root / f".trash-{p.name}-{os.getpid()}"
            try:
                os.rename(p, trash)
            except OSError:
                continue
            shutil.rmtree(trash, ignore_errors=True)
            total -= sizes[p.name]
            removed.append(p.name)
        return removed

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        found = [p for p in self.root.iterdir() if not p.name.startswith(".") and (p / _KEY_FILE).exists()]
        return sorted(found, key=_last_used, reverse=True)

    @staticmethod
    def _touch(entry: Path) -> None:
        # A file of its own rather than the directory mtime: reading an entry must not depend on atime.
        (entry / _USED_FILE).write_text(repr(time.time()))


def _last_used(entry: Path) -> float:
    try:
        return float((entry / _USED_FILE).read_text())
    except (OSError, ValueError):
        return 0.0


def _dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
