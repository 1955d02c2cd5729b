"""Agreement: accelbench's median for tiny bert on pytorch cpu vs torch.utils.benchmark.

Both time the same model (same seed, same inputs, same thread count); accelbench through the full
runner (its own process, adaptive stopping), torch's `Timer.blocked_autorange` in this process.
Rounds alternate to share machine noise. Goal (issue 2): medians within 3 %.
Usage: .venv/bin/python bench/bench_agreement.py [--threads 1] [--rounds 3] [--batch-size 1]
"""

from __future__ import annotations

import argparse
import statistics

from accelbench.runner import run_task_isolated
from accelbench.tasks import BenchmarkTask, TaskConfig


def torch_median_ms(batch_size: int, seq_len: int, threads: int) -> float:
    import torch
    import torch.utils.benchmark as tb

    from accelbench.models import build_model, make_inputs

    torch.set_num_threads(threads)
    built = build_model("bert", "tiny", seed=0)
    inputs = make_inputs(built, batch_size, seq_len, seed=0)
    with torch.inference_mode():
        timer = tb.Timer(stmt="m(*x)", globals={"m": built.module, "x": inputs}, num_threads=threads)
        return timer.blocked_autorange(min_run_time=2.0).median * 1e3


def accelbench_median_ms(batch_size: int, seq_len: int, threads: int) -> float:
    config = TaskConfig(
        model="bert",
        size="tiny",
        hardware="cpu",
        backend="pytorch",
        batch_sizes=[batch_size],
        sequence_length=seq_len,
        threads=threads,
        iterations=5000,
        max_time_seconds=5,
        target_ci_percent=0.5,
        audit=False,
    )
    result = run_task_isolated(BenchmarkTask("agreement", config))
    m = result.measurements[0]
    if m.status != "success":
        raise SystemExit(f"accelbench run failed: {m.status}: {m.error}")
    return m.stats.median_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1)
    parser.add_argument("--sequence-length", type=int, default=128)
    args = parser.parse_args()
    ours, theirs = [], []
    for _ in range(args.rounds):
        ours.append(accelbench_median_ms(args.batch_size, args.sequence_length, args.threads))
        theirs.append(torch_median_ms(args.batch_size, args.sequence_length, args.threads))
    a, t = statistics.median(ours), statistics.median(theirs)
    print(
        f"tiny bert, pytorch cpu, batch {args.batch_size}, seq {args.sequence_length}, {args.threads} thread(s)"
    )
    print(f"accelbench median {a:.4f} ms (rounds: {', '.join(f'{x:.4f}' for x in ours)})")
    print(f"torch.utils.benchmark median {t:.4f} ms (rounds: {', '.join(f'{x:.4f}' for x in theirs)})")
    print(f"difference {100 * (a - t) / t:+.2f} % (goal: within ±3 %)")


if __name__ == "__main__":
    main()
