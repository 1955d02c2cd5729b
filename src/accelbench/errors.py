"""Errors a user can cause (exit code 2) and errors that describe an unsupported combination."""

from __future__ import annotations


class AccelbenchError(Exception):
    """Base class of accelbench's own errors."""

    exit_code = 1


class InputError(AccelbenchError):
    """Bad user input: names the file, the item and the field, and what was expected (exit code 2)."""

    exit_code = 2

    def __init__(
        self, message: str, *, file: str | None = None, item: str | None = None, field: str | None = None
    ) -> None:
        self.file, self.item, self.field, self.detail = file, item, field, message
        where = []
        if file:
            where.append(str(file))
        if item:
            plain = item == "command line" or item.startswith(("task ", "model ", "peer ", "instance "))
            where.append(item if plain else f"task '{item}'")
        if field:
            where.append(f"field '{field}'")
        prefix = ": ".join([", ".join(where)]) + ": " if where else ""
        super().__init__(prefix + message)


class UnsupportedError(AccelbenchError):
    """A model/backend/device/precision combination that cannot run here; stored as `unsupported`."""


class MissingExtraError(AccelbenchError):
    """An optional dependency is missing; the message says which extra to install."""

    exit_code = 2

    def __init__(self, module: str, extra: str) -> None:
        super().__init__(f"{module} is not installed: pip install 'accelbench[{extra}]'")
        self.module, self.extra = module, extra


def require(module: str, extra: str):
    """Import `module` or raise MissingExtraError naming the install extra."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingExtraError(module, extra) from exc
