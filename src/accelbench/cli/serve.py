"""`accelbench serve`: run the prediction REST API with uvicorn (127.0.0.1 unless told otherwise)."""

from __future__ import annotations

from typing import Any

import click

from accelbench.cli.options import db_option


@click.command()
@db_option
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; 0.0.0.0 exposes the API to the network.",
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--refresh-seconds",
    default=5.0,
    show_default=True,
    type=float,
    help="How often to look for a newer trained model.",
)
@click.option("--no-log", is_flag=True, help="Do not record served predictions in performance_predictions.")
def serve(db: str | None, host: str, port: int, refresh_seconds: float, no_log: bool) -> None:
    """Serve /api/predict/latency, /api/predict/batch, /api/recommend/hardware, /api/ipfs/predict/acceleration.

    Models are held in memory; the database is opened briefly (retrying while a benchmark holds it)
    to reload a newer model version and to log served predictions, so `accelbench run` can write to
    the same file. OpenAPI schema at /openapi.json, docs at /docs.

    \b
    Example:
      accelbench serve --db bench.duckdb --port 8000
      curl '127.0.0.1:8000/api/predict/latency?model_name=bert&batch_size=8'
    """
    from accelbench.api import create_app
    from accelbench.errors import require
    from accelbench.storage import resolve_db_path

    uvicorn = require("uvicorn", "api")
    path = resolve_db_path(db)
    app = create_app(path, refresh_seconds=refresh_seconds, log_predictions=not no_log)

    class _Announcing(uvicorn.Server):  # type: ignore[misc,name-defined]
        """Says what it serves once the port is bound (uvicorn exits on a bind error before this)."""

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)  # runs the app's start-up: models loaded and warmed up
            if not self.should_exit:
                url = f"http://{host}:{port}"
                click.echo(
                    f"accelbench serve: {_loaded(app.state.service, path)}; listening on {url} "
                    f"(API docs: {url}/docs)",
                    err=True,
                )

    _Announcing(uvicorn.Config(app, host=host, port=port, log_level="warning")).run()


def _loaded(state: Any, path: Any) -> str:
    """What a started server holds: its model version, targets and warm-up, or why it has none."""
    p = state.predictor
    if p is None:
        text = f"no model yet ({state.unavailable_reason}); predictions answer 404 until one is trained"
    else:
        warm = (
            f"warmed up in {state.warm_up_seconds:.1f} s"
            if state.warm_up_seconds is not None
            else f"its warm-up failed ({state.warm_up_error}; see the log)"
        )
        text = f"model {p.bundle.version} ({', '.join(p.targets)}) loaded, {warm}"
    return text if str(path) in text else f"{path}: {text}"  # a missing file's reason names it already
