"""Load a suite from YAML, JSON or TOML, validate it, and raise one clear InputError if it is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from accelbench.errors import InputError
from accelbench.models.catalog import FAMILIES
from accelbench.tasks.suite import BenchmarkSuite
from accelbench.tasks.task import BenchmarkTask


def load_suite(path: str | Path) -> BenchmarkSuite:
    """Read, validate and build the suite in `path` (.yaml/.yml, .json or .toml)."""
    path = Path(path)
    if not path.exists():
        raise InputError("no such file", file=str(path))
    data = _parse(path)
    return suite_from_dict(data, source=str(path))


def suite_from_dict(data: Any, *, source: str | None = None) -> BenchmarkSuite:
    """Validate a parsed suite document and build the BenchmarkSuite."""
    _validate_schema(data, source)
    defaults = data.get("defaults", {})
    tasks = []
    for entry in data["tasks"]:
        entry = {**entry, "config": {**defaults, **entry["config"]}}
        _check_task(entry, source)
        tasks.append(BenchmarkTask.from_dict(entry))
    suite = BenchmarkSuite(
        name=data["name"],
        tasks=tasks,
        version=str(data.get("version", "1")),
        description=data.get("description", ""),
        priority=int(data.get("priority", 1)),
        source=source,
    )
    suite.validate()
    return suite


def _parse(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text: {exc}", file=str(path)) from None
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            return yaml.safe_load(text)
        if suffix == ".json":
            return json.loads(text)
        if suffix == ".toml":
            import tomllib

            return tomllib.loads(text)
    except Exception as exc:  # the parsers' own errors carry line numbers
        raise InputError(f"cannot parse {suffix[1:].upper()}: {exc}", file=str(path)) from exc
    raise InputError(f"unknown suite format '{suffix}': use .yaml, .json or .toml", file=str(path))


def _validate_schema(data: Any, source: str | None) -> None:
    import jsonschema

    from accelbench.tasks.schema import suite_schema

    validator = jsonschema.Draft202012Validator(suite_schema())
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    err = min(errors, key=lambda e: len(e.absolute_path))  # the outermost problem first
    path = list(err.absolute_path)
    item, field = None, ".".join(str(p) for p in path) or None
    if len(path) >= 2 and path[0] == "tasks" and isinstance(path[1], int):
        tasks = data.get("tasks") or []
        name = tasks[path[1]].get("name") if isinstance(tasks[path[1]], dict) else None
        item = name or f"#{path[1] + 1}"
        field = ".".join(str(p) for p in path[2:]) or None
    raise InputError(_describe(err), file=source, item=item, field=field)


def _describe(err: Any) -> str:
    if err.validator == "enum":
        return f"{err.instance!r} is not one of {', '.join(map(str, err.validator_value))}"
    if err.validator == "additionalProperties":
        return f"unknown field: {err.message}"
    if err.validator in ("minimum", "exclusiveMinimum"):
        return f"{err.instance!r} must be {'>=' if err.validator == 'minimum' else '>'} {err.validator_value}"
    return err.message


def _check_task(entry: dict[str, Any], source: str | None) -> None:
    config = entry["config"]
    sizes = FAMILIES[config["model"]][1]
    size = config.get("size", "tiny")
    if size not in sizes and not config.get("model_path"):
        raise InputError(
            f"unknown size '{size}' for {config['model']}; expected one of {', '.join(sizes)}",
            file=source,
            item=entry["name"],
            field="config.size",
        )
