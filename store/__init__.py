"""reqboard's core: the domain, the workflow rules, persistence and metrics. Never imports textual.

The names below are imported on first use, so that importing one light module (store.domain,
store.cards) does not bring in pydantic and the whole store with it.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "Board": "board",
    "Conflict": "errors", "InvalidValue": "errors", "NotFound": "errors", "Outdated": "errors",
    "Refused": "errors", "StoreError": "errors", "StoreUnreadable": "errors", "Unsupported": "errors",
    "Transaction": "transaction", "Snapshot": "snapshot",
    "BOARD_STATES": "domain", "CRStatus": "domain", "State": "domain",
    "ChangeRequest": "models", "Requirement": "models",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    return getattr(import_module(f".{_WHERE[name]}", __name__), name)
