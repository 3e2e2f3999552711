"""Reports of a board's metrics for people outside the terminal: JSON, Markdown and HTML.

Presentation of `store.metrics.BoardMetrics`, with no Textual import: the CLI's `reqboard report`
calls these, and so could any script.
"""

from __future__ import annotations

from .html import render_html
from .json_report import report_json
from .markdown import render_markdown

FORMATS = ("json", "md", "html")

__all__ = ["FORMATS", "render_html", "render_markdown", "report_json"]
