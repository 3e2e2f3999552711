"""Reports of a board's metrics for people outside the terminal: JSON, Markdown and HTML.

Presentation of `store.metrics.BoardMetrics`, with no Textual import: the CLI's `reqboard report`
calls these, and so could any script. `customer_report` and `render_customer_report` make the progress
report of one customer (`report --customer`), written for the customer and holding nothing of any other.
"""

from __future__ import annotations

from .customer import CustomerReport, customer_report, render_customer_report
from .html import render_html
from .json_report import report_json
from .markdown import render_markdown

FORMATS = ("json", "md", "html")

__all__ = ["FORMATS", "CustomerReport", "customer_report", "render_customer_report", "render_html",
           "render_markdown", "report_json"]
