"""Do measurements repeat from one task process to the next? glibc's own malloc thresholds against
the fixed ones task processes use (accelbench/runner/allocator.py).

Each configuration is measured in N fresh interpreter processes per policy, the way a task process
measures it (apply_policy, then execute_config); printed per policy: the median latency of each
process, the spread (slowest / fastest process) and the minor page faults per timed call.
Goal: the spread of one configuration across processes within the ±10 % that a prediction is held
to, so that a re-test or a later run measures what the first one did.
Usage: .venv/bin/python bench/bench_allocator.py [--processes 6]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

# (model, backend, precision, batch sizes, sequence length): the eager PyTorch configurations
# that split into two levels in the reference data, and an onnxruntime one for comparison
CONFIGS = [
    ("qwen2", "pytorch", "int8", [4, 16], 128),
    ("llama", "pytorch", "fp32", [4, 16], 128),
    ("bert", "pytorch", "fp32", [16], 128),
    ("bert", "onnxruntime", "int8", [16], 128),
]


def child(spec: str) -> None:
    from accelbench.runner.allocator import apply_policy
    from accelbench.runner.execute import execute_config
    from accelbench.tasks.task import TaskConfig

    model, backend, precision, batches, seq = json.loads(spec)
    allocator = apply_policy()
    config = TaskConfig(
        model=model,
        backend=backend,
        precision_formats=[precision],
        batch_sizes=batches,
        sequence_length=seq,
        threads=1,
        iterations=60,
        min_iterations=10,
        warmup_iterations=3,
        max_time_seconds=2.0,
        target_ci_percent=3.0,
        audit=False,
    )
    out = []
    execute_config(config, out.append, allocator=allocator)
    print(
        json.dumps(
            [
                [
                    m.batch_size,
                    m.stats.median_ms if m.stats else None,
                    m.extra.get("minor_page_faults_per_call"),
                ]
                for m in out
            ]
            + [allocator["policy"]]
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--processes", type=int, default=6)
    ap.add_argument("--child")
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    print(f"{args.processes} fresh processes per configuration and policy (one thread each)")
    print("config | batch | policy | median ms per process | spread (max/min) | page faults per call")
    for cfg in CONFIGS:
        per: dict[tuple[int, str], list[tuple[float, float]]] = {}
        for _ in range(args.processes):
            for policy in ("system", "fixed"):  # alternated, so drift hits both alike
                env = {**os.environ, "ACCELBENCH_MALLOC": policy}
                out = subprocess.run(
                    [sys.executable, __file__, "--child", json.dumps(cfg)],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                *rows, applied = json.loads(out.stdout.strip().splitlines()[-1])
                for batch, ms, faults in rows:
                    per.setdefault((batch, applied), []).append((ms, faults))
        name = f"{cfg[0]}-tiny {cfg[1]} {cfg[2]} seq {cfg[4]}"
        for (batch, policy), values in sorted(per.items()):
            ms = [v[0] for v in values]
            faults = statistics.median(v[1] for v in values)
            print(
                f"{name} | {batch} | {policy} | {' '.join(f'{v:.2f}' for v in ms)} | "
                f"{max(ms) / min(ms):.2f}x | {faults:.0f}"
            )


if __name__ == "__main__":
    main()
