"""Files written with -o follow the user's umask, like any file they create (never wider)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reqboard.cli.main import main


@pytest.mark.parametrize(("umask", "expected"), [(0o077, 0o600), (0o022, 0o644), (0o027, 0o640)])
def test_export_file_follows_the_umask(tmp_path: Path, umask: int, expected: int) -> None:
    assert main(["add", "Secret customer plan"]) == 0
    out = tmp_path / f"export-{umask:o}.json"
    previous = os.umask(umask)
    try:
        assert main(["export", "-o", str(out)]) == 0
    finally:
        os.umask(previous)
    assert stat.S_IMODE(out.stat().st_mode) == expected
    assert b"Secret customer plan" in out.read_bytes()
