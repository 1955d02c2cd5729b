"""DuckDB storage: the Store, versioned migrations, queries, export and archive."""

from accelbench.storage.paths import resolve_db_path
from accelbench.storage.store import Store, migrate

__all__ = ["Store", "migrate", "resolve_db_path"]
