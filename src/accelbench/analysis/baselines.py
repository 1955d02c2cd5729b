"""Resolve a baseline reference (run id, git commit or ref, branch, or `last-7d` window) against the Store."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from typing import TYPE_CHECKING

from accelbench.errors import InputError

if TYPE_CHECKING:
    from accelbench.storage import Store

_WINDOW = re.compile(r"last-(\d+(?:\.\d+)?)([hdw])")
_HEX = re.compile(r"[0-9a-fA-F]{7,40}")
_HOURS = {"h": 1.0, "d": 24.0, "w": 168.0}


@dataclass(frozen=True)
class Baseline:
    """What to compare against: one run, or every run in a recent time window."""

    kind: str  # "run" | "window"
    description: str
    run_id: int | None = None
    window_hours: float | None = None


def resolve_baseline(store: Store, ref: str, *, current_run_id: int | None, repo_dir: str = ".") -> Baseline:
    """Turn REF into a Baseline, trying in order: run id, `last-Nh|d|w`, commit prefix, git ref, branch name.

    A git ref (tag, branch, `HEAD~1`) is resolved with `git rev-parse` in `repo_dir` and then
    looked up by commit; the latest run at that commit other than the current run is used.
    Raises InputError naming what was tried when nothing matches.
    """
    ref = ref.strip()
    if ref.isdigit():
        run_id = int(ref)
        if store.query("SELECT 1 FROM performance_results WHERE run_id = ? LIMIT 1", [run_id]):
            return Baseline("run", f"run {run_id}", run_id=run_id)
        if not _HEX.fullmatch(ref):  # 7+ digits may also be a commit prefix: tried below
            raise InputError(f"run {run_id} has no stored results", item="command line", field="--baseline")
    window = _WINDOW.fullmatch(ref)
    if window:
        hours = float(window.group(1)) * _HOURS[window.group(2)]
        return Baseline("window", f"runs in the last {window.group(1)}{window.group(2)}", window_hours=hours)
    tried = []
    if _HEX.fullmatch(ref):
        found = _latest_run(store, "git_commit LIKE ?", ref.lower() + "%", current_run_id)
        if found is not None:
            return Baseline("run", f"run {found} at commit {ref}", run_id=found)
        tried.append(f"no run at commit {ref}")
    sha = _rev_parse(ref, repo_dir)
    if sha:
        found = _latest_run(store, "git_commit = ?", sha, current_run_id)
        if found is not None:
            return Baseline("run", f"run {found} at {ref} ({sha[:12]})", run_id=found)
        tried.append(f"{ref} is commit {sha[:12]}, which has no run")
    else:
        tried.append(f"{ref} is not a git ref here")
    found = _latest_run(store, "git_branch = ?", ref, current_run_id)
    if found is not None:
        return Baseline("run", f"run {found}, the latest on branch {ref}", run_id=found)
    tried.append(f"no run on branch {ref}")
    raise InputError(
        f"cannot resolve baseline {ref!r}: "
        + "; ".join(tried)
        + " (use a run id, a commit, a branch or last-7d)",
        item="command line",
        field="--baseline",
    )


def _latest_run(store: Store, where: str, value: str, current_run_id: int | None) -> int | None:
    rows = store.query(
        f"SELECT t.run_id FROM test_runs t WHERE {where} AND t.run_id IS DISTINCT FROM ?"
        " AND EXISTS (SELECT 1 FROM performance_results r WHERE r.run_id = t.run_id)"
        " ORDER BY t.started_at DESC NULLS LAST, t.run_id DESC LIMIT 1",
        [value, current_run_id],
    )
    return int(rows[0]["run_id"]) if rows else None


def _rev_parse(ref: str, repo_dir: str) -> str | None:
    if ref.startswith("-"):  # never let a ref be read as an option of git
        return None
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
            cwd=repo_dir,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    sha = out.stdout.strip()
    return sha if out.returncode == 0 and sha else None
