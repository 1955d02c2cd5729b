"""accelbench: measured ML inference benchmarks across hardware and runtimes, stored in DuckDB.

Importing this package is cheap: torch, transformers, onnxruntime, openvino, duckdb and ray are
imported only by the modules that use them.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
