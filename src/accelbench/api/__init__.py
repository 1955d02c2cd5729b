"""The prediction REST API: `create_app(db_path)` (FastAPI), run by `accelbench serve`."""

from __future__ import annotations

from typing import Any


def create_app(db_path: Any, **kwargs: Any) -> Any:
    """A FastAPI app serving predictions from `db_path` (imports FastAPI on call)."""
    from accelbench.errors import require

    require("fastapi", "api")
    from accelbench.api.app import create_app as _create

    return _create(db_path, **kwargs)


__all__ = ["create_app"]
