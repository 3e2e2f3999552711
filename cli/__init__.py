"""The `reqboard` command line: one subcommand per board operation, scriptable with `--json`.

It is not TUI code: Textual is imported only when the board is opened (see `main.run_app`).
"""
