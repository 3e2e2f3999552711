"""reqboard's core: the domain, the workflow rules, persistence and metrics. Never imports textual."""

from .board import Board
from .errors import Conflict, InvalidValue, NotFound, Refused, StoreError, StoreUnreadable
from .models import BOARD_STATES, ChangeRequest, CRStatus, Requirement, State

__all__ = [
    "BOARD_STATES", "Board", "ChangeRequest", "CRStatus", "Conflict", "InvalidValue", "NotFound",
    "Refused", "Requirement", "State", "StoreError", "StoreUnreadable",
]
