"""The command line run in this process, for tests: exit code, output, the one `error:` line."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from typing import Any

import orjson
import pytest

from reqboard.cli.main import main

ReqboardProcess = Callable[..., subprocess.CompletedProcess[str]]
"""What the `reqboard_process` fixture gives: `run(*argv, env=..., timeout=...)`, the real command."""


def assert_one_error_line(err: str) -> None:
    """The contract's error: one line on stderr starting `error:`, no traceback."""
    assert err.startswith("error: "), err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err


class CliRunner:
    """`reqboard ARGS` in this process: asserts the exit code, returns stdout (stderr is kept in `err`)."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.err = ""

    def __call__(self, *argv: str, code: int = 0) -> str:
        self.capsys.readouterr()
        rc = main(list(argv))
        out, self.err = self.capsys.readouterr()
        assert rc == code, f"reqboard {' '.join(argv)} -> {rc}, expected {code}\n{out}{self.err}"
        if code == 0:
            assert self.err == "", self.err
        else:
            assert_one_error_line(self.err)
        return out

    def json(self, *argv: str) -> Any:
        """The command's `--json` output, parsed."""
        return orjson.loads(self(*argv, "--json"))

    def fails(self, code: int, *argv: str) -> str:
        """Runs a command that must fail with `code`; returns its one `error:` line."""
        self(*argv, code=code)
        return self.err
