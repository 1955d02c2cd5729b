"""Start-up figures: `import accelbench` above `python -c pass`, `accelbench --help`, warm detect_all.

Each figure is the median wall time of N fresh subprocesses (`--runs`, default 15). Goals from the
issue: import <= 5 ms above the bare interpreter, --help <= 300 ms, warm detection < 50 ms.

    .venv/bin/python bench/bench_startup.py --runs 21
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

DETECT_WARM = (
    "import time; t = time.perf_counter(); from accelbench.hardware import detect_all; detect_all(); "
    "print((time.perf_counter() - t) * 1000)"
)


def wall_ms(cmd: list[str], runs: int) -> list[float]:
    """Wall time in ms of `runs` runs of `cmd` (after one untimed warm-up run)."""
    subprocess.run(cmd, check=True, capture_output=True)
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def reported_ms(cmd: list[str], runs: int) -> list[float]:
    """The ms figure each of `runs` runs of `cmd` prints on its last line."""
    return [
        float(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout.split()[-1])
        for _ in range(runs)
    ]


def line(name: str, samples: list[float], goal: str) -> str:
    """One printed figure: median, min, max in ms and the goal."""
    return (
        f"{name:<44} median {statistics.median(samples):8.2f} ms   min {min(samples):8.2f}   "
        f"max {max(samples):8.2f}   goal {goal}"
    )


def main() -> None:
    """Print the three start-up figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    runs = parser.parse_args().runs
    py = sys.executable
    cli = shutil.which("accelbench", path=str(Path(py).parent)) or "accelbench"
    bare = wall_ms([py, "-c", "pass"], runs)
    imported = wall_ms([py, "-c", "import accelbench"], runs)
    above = [i - statistics.median(bare) for i in imported]
    subprocess.run(
        [py, "-c", "from accelbench.hardware import detect_all; detect_all(refresh=True)"], check=True
    )
    print(f"accelbench start-up, {runs} runs each, python {sys.version.split()[0]}")
    print(line("python -c pass", bare, "(baseline)"))
    print(line("python -c 'import accelbench'", imported, "-"))
    print(line("  import accelbench above python -c pass", above, "<= 5 ms"))
    print(line("accelbench --help", wall_ms([cli, "--help"], runs), "<= 300 ms"))
    print(
        line(
            "detect_all() warm (new process, disk cache)",
            reported_ms([py, "-c", DETECT_WARM], runs),
            "< 50 ms",
        )
    )
    print(
        line(
            "detect_all() cold (refresh, all 8 detectors)",
            reported_ms([py, "-c", DETECT_WARM.replace("detect_all()", "detect_all(refresh=True)")], 3),
            "-",
        )
    )


if __name__ == "__main__":
    main()
