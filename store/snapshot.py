"""A read-only view of a board's stored records, for planning a change without building models.

Importers and merges read thousands of raw records to decide what to write; a `Snapshot` hands them
the stored documents (by key number, customers by name) and the revision they were read at, so the
plan can be committed with `board.transaction(expect=snapshot.revision)` and refused if the board
moved on meanwhile. The records are the storage's own: never change one in place.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any


class Revision:
    """What names one committed state of a board; compares with ==, and means nothing else.

    The file storage uses its file's signature; `ABSENT` is the revision of a board never written.
    """

    __slots__ = ()


@dataclass(frozen=True)
class _Absent(Revision):
    def __repr__(self) -> str:
        return "Revision(absent)"


ABSENT: Revision = _Absent()


class RequirementRecords(Mapping[int, Mapping[str, Any]]):
    """Stored requirement documents by key number (REQ-12 under 12), over a table by document id."""

    __slots__ = ("_table",)

    def __init__(self, table: Mapping[str, Any]) -> None:
        self._table = table

    def __getitem__(self, number: int) -> Mapping[str, Any]:
        record = self._table[str(number)]
        if not isinstance(record, Mapping):
            raise KeyError(number)
        return record

    def __contains__(self, number: object) -> bool:
        return str(number) in self._table

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self._table if doc_id.isdigit())

    def __len__(self) -> int:
        return len(self._table)

    def values(self) -> Any:  # straight from the table: an import reads 100,000
        """The stored documents, straight from the table."""
        return self._table.values()

    def items(self) -> Any:
        """(key number, document) pairs."""
        return ((int(doc_id), record) for doc_id, record in self._table.items() if doc_id.isdigit())

    def get(self, number: int, default: Any = None) -> Any:
        """The document of key number `number`, or `default`."""
        return self._table.get(str(number), default)


class CustomerRecords(Mapping[str, Mapping[str, Any]]):
    """Stored customer documents by casefolded name; the first record of a name wins, as it does for
    the tier a new requirement gets. The index is made on first use."""

    __slots__ = ("_table", "_by_name")

    def __init__(self, table: Mapping[str, Any]) -> None:
        self._table = table
        self._by_name: dict[str, Mapping[str, Any]] | None = None

    def _index(self) -> dict[str, Mapping[str, Any]]:
        if self._by_name is None:
            index: dict[str, Mapping[str, Any]] = {}
            for record in self._table.values():
                name = record.get("name") if isinstance(record, Mapping) else None
                if isinstance(name, str):
                    index.setdefault(name.casefold(), record)
            self._by_name = index
        return self._by_name

    def __getitem__(self, name: str) -> Mapping[str, Any]:
        return self._index()[name.casefold()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.casefold() in self._index()

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


@dataclass(frozen=True)
class Snapshot:
    """The board's stored state at one revision (see the module docstring)."""

    requirements: Mapping[int, Mapping[str, Any]]
    customers: Mapping[str, Mapping[str, Any]]
    next_requirement: int
    next_change_request: int
    revision: Revision
    settings: Mapping[str, Any]
    generation: int
    sync: Mapping[str, Any] = dataclass_field(default_factory=dict)
    """What the board remembers of each board it syncs with, by that board's id (see store.sync)."""

    @classmethod
    def of(cls, tables: Mapping[str, Any], meta: Mapping[str, Any], revision: Revision) -> Snapshot:
        """The view of a board's tables (`requirements` and `customers` by document id) and meta record."""
        settings = meta.get("settings", {})
        return cls(
            requirements=RequirementRecords(tables["requirements"]),
            customers=CustomerRecords(tables["customers"]),
            next_requirement=int(meta.get("next_requirement", 1)),
            next_change_request=int(meta.get("next_change_request", 1)),
            revision=revision,
            settings=settings if isinstance(settings, Mapping) else {},
            generation=int(meta.get("generation", 0)),
            sync=sync if isinstance(sync := meta.get("sync", {}), Mapping) else {},
        )
