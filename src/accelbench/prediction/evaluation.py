"""The evaluation protocol: four splits x targets, learned model vs the FLOPs baseline.

Splits: random configurations (5-fold; the repeated measurements of one configuration are held
out together, so a measurement's twin never sits in the training part), leave-one-family-out,
leave-one-hardware-out (only with >= 3 platforms), batch sizes beyond the trained range. Each held-out fold is predicted by a model
trained and calibrated on the rest only, with the interval kind a real query of that sort would
get. Hyperparameters are chosen once per target on all rows (a small optimistic leak, said in the
docs) because nesting that search would multiply the run time by the grid size. Next to the
figures stands the repeat-measurement noise of each target (noise.py), the floor under them.
"""

from __future__ import annotations

import math
from typing import Any

from accelbench.prediction.dataset import TARGETS, rows_with_target
from accelbench.prediction.encoding import Baseline, target_value
from accelbench.prediction.folds import Fold, batch_extrapolation_split, leave_one_out
from accelbench.prediction.learner import (
    MIN_ROWS,
    choose_hyper,
    combined_half_width,
    configuration_folds,
    hardware_key,
    train_target,
)
from accelbench.prediction.noise import noise_line, repeat_noise

SPLITS = ("random", "unseen_family", "unseen_hardware", "batch_beyond_range")
_KIND = {
    "random": "in_domain",
    "unseen_family": "unseen_family",
    "unseen_hardware": "unseen_hardware",
    "batch_beyond_range": "batch_extrapolation",
}
GOALS = {
    "random": {"mape_percent": 5.0, "within_10_percent": 0.95},
    "unseen_family": {"mape_percent": 10.0},
    "coverage": (0.88, 0.92),
}


def split_folds(rows: list[dict[str, Any]], split: str, seed: int = 0) -> tuple[list[Fold], str | None]:
    """Folds of one split, or ([], reason) when the data cannot form it."""
    if split == "random":
        return configuration_folds(rows, seed), None
    if split == "unseen_family":
        folds = [f for _, f in leave_one_out(rows, lambda r: r["model_name"])]
        return (folds, None) if len(folds) >= 3 else ([], f"{len(folds)} families (need >= 3)")
    if split == "unseen_hardware":
        n = len({hardware_key(r) for r in rows})
        if n < 3:
            return [], f"data from {n} hardware platform(s); leave-one-hardware-out needs >= 3"
        return [f for _, f in leave_one_out(rows, hardware_key)], None
    split_ = batch_extrapolation_split(rows)
    return ([split_], None) if split_ else ([], "fewer than 3 distinct batch sizes")


def metrics(
    measured: list[float],
    predicted: list[float],
    lower: list[float | None] | None = None,
    upper: list[float | None] | None = None,
) -> dict[str, Any]:
    """MAPE %, share within ±10 %, Spearman rank correlation and interval coverage of paired values."""
    from scipy.stats import spearmanr

    rel = [abs(p - m) / m for m, p in zip(measured, predicted, strict=True)]
    out: dict[str, Any] = {
        "n": len(rel),
        "mape_percent": 100.0 * sum(rel) / len(rel),
        "within_10_percent": sum(e <= 0.10 for e in rel) / len(rel),
        "spearman": float(spearmanr(measured, predicted).statistic) if len(rel) > 2 else None,
    }
    if lower is not None and upper is not None:
        hits = [
            lo is not None and hi is not None and lo <= m <= hi
            for m, lo, hi in zip(measured, lower, upper, strict=True)
        ]
        out["interval_coverage"] = sum(hits) / len(hits)
    return out


def evaluate_target(
    rows: list[dict[str, Any]],
    target: str,
    *,
    seed: int = 0,
    splits: tuple[str, ...] = SPLITS,
    hyper: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """{split: {"model": metrics, "baseline": metrics, "beats_baseline": bool} or {"skipped": reason}},
    plus "noise": the repeat-measurement noise of `target` (see noise.repeat_noise; None without repeats).
    """
    rows = rows_with_target(rows, target)
    noise = repeat_noise(rows, target)
    if len(rows) < MIN_ROWS:
        return {s: {"skipped": f"{len(rows)} measured rows (need {MIN_ROWS})"} for s in splits} | {
            "noise": noise
        }
    hyper = hyper or choose_hyper(rows, target, seed)
    out: dict[str, Any] = {"hyperparameters": hyper, "noise": noise}
    for split in splits:
        folds, reason = split_folds(rows, split, seed)
        out[split] = {"skipped": reason} if reason else _run_split(rows, folds, target, split, hyper, seed)
    return out


def _run_split(
    rows: list[dict[str, Any]], folds: list[Fold], target: str, split: str, hyper: dict[str, Any], seed: int
) -> dict[str, Any]:
    measured: list[float] = []
    pred: list[float] = []
    base: list[float] = []
    lo: list[float | None] = []
    hi: list[float | None] = []
    kind = _KIND[split]
    for tr, te in folds:
        train, test = [rows[i] for i in tr], [rows[i] for i in te]
        if len(train) < MIN_ROWS:
            continue
        # as a served query of this kind gets: the wider of its own and the in-domain half-width
        kinds = sorted({"in_domain", kind})
        model = train_target(train, target, hyper=hyper, seed=seed, kinds=tuple(kinds))
        qs = [combined_half_width(model, kinds, r) for r in test]
        p = model.predict(test)
        measured += [target_value(r, target) for r in test]
        pred += p
        base += Baseline.fit(train, target).predict(test)
        lo += [v * math.exp(-q) if q is not None else None for v, q in zip(p, qs, strict=True)]
        hi += [v * math.exp(q) if q is not None else None for v, q in zip(p, qs, strict=True)]
    if not measured:
        return {"skipped": f"no fold with >= {MIN_ROWS} training rows"}
    learned = metrics(measured, pred, lo, hi)
    ok = [i for i, b in enumerate(base) if not math.isnan(b)]
    baseline = metrics([measured[i] for i in ok], [base[i] for i in ok]) if ok else None
    beats = baseline is not None and learned["mape_percent"] < baseline["mape_percent"]
    return {"model": learned, "baseline": baseline, "beats_baseline": beats}


def evaluate(
    rows: list[dict[str, Any]],
    *,
    targets: tuple[str, ...] = tuple(TARGETS),
    seed: int = 0,
    splits: tuple[str, ...] = SPLITS,
) -> dict[str, Any]:
    """The full protocol for every target; targets without enough rows say so."""
    return {t: evaluate_target(rows, t, seed=seed, splits=splits) for t in targets}


def format_table(report: dict[str, Any]) -> list[list[str]]:
    """Rows for printing: target, split, n, MAPE, within ±10 %, Spearman, coverage, baseline MAPE, beats."""

    def pct(v: Any, scale: float = 1.0) -> str:
        return "-" if v is None else f"{v * scale:.1f}"

    table = []
    for target, splits in report.items():
        for split in SPLITS:
            r = splits.get(split)
            if r is None:
                continue
            if "skipped" in r:
                table.append([target, split, "-", "-", "-", "-", "-", "-", f"skipped: {r['skipped']}"])
                continue
            m, b = r["model"], r["baseline"] or {}
            table.append(
                [
                    target,
                    split,
                    str(m["n"]),
                    pct(m["mape_percent"]),
                    pct(m["within_10_percent"], 100),
                    pct(m["spearman"]),
                    pct(m.get("interval_coverage"), 100),
                    pct(b.get("mape_percent")),
                    "yes" if r["beats_baseline"] else "NO",
                ]
            )
    return table


def goal_lines(report: dict[str, Any]) -> list[str]:
    """The issue's goals, then per target its repeat-measurement noise (the floor under the goals)."""
    lines = [
        "goals: random MAPE <= 5 % and >= 95 % within ±10 %; unseen family MAPE <= 10 %; "
        "90 % intervals covering 88-92 %"
    ]
    for target, splits in report.items():
        if any("model" in (splits.get(s) or {}) for s in SPLITS):
            lines.append(noise_line(target, splits.get("noise")))
    return lines
