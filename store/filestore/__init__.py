"""The file storage: a board as one TinyDB-readable JSON file, with its journal, lock and backups.

One concern a module: `files` (opening and replacing a board's files safely), `layout` (the bytes of
the board file), `migrations` (schema upgrades), `lock` (the inter-process lock), `journal` (the
history), `backups` (kept generations), `boardfile` (reading, the transaction and the commit) and
`maintenance` (check, repair, restore). Only this package imports TinyDB.
"""
