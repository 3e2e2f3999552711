"""reqboard: the Textual app and the command line."""
