"""For the Your work tests: reading a queue's row and count off the page."""

from __future__ import annotations


def queue_row(page: str, key: str) -> str:
    start = page.index(f'id="queue-{key}"')
    return page[start : page.index("</tr>", start)]


def queue_count(page: str, key: str) -> str:
    """The count a queue's row shows ("None" for zero)."""
    row = queue_row(page, key)
    cell = row[row.rindex('govuk-table__cell--numeric">') :]
    return cell.split(">", 1)[1].replace("<strong>", "").replace("</strong>", "").split("<", 1)[0].strip()
