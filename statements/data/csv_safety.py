"""CSV formula injection (OWASP's "CSV Injection"): a spreadsheet runs a cell that starts with
`=`, `+`, `-` or `@` (and, in some, tab or carriage return) as a formula, so a quote or a note
typed as `=HYPERLINK(...)` would run on the machine of whoever opens the export. OWASP's advice:
prefix such a cell with a single quote, inside the (always) quoted field. The exports do this by
default; `raw` keeps the exact text for pipelines that read CSV as data, not as a spreadsheet.

Pure functions, no Django: the export engines (statements/data/exporting.py) call
`neutralize_csv_line` on each finished line; any other CSV writer calls `neutralize_cell`.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# In our CSV lines every text cell is quoted and numbers never start with a sign, so a cell
# starting with one of FORMULA_STARTS is exactly `,"` followed by it: inside a quoted field a `"`
# is always doubled, so `,"` + sign cannot occur there (`,""=` is an escaped quote, not a cell).
_CELL_START = re.compile(rb',"(?=[=+\-@\t\r])')


def neutralize_cell(text: str) -> str:
    """`text` as a spreadsheet reads it as text: a leading formula character gets a `'` before it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def neutralize_csv_line(line: bytes) -> bytes:
    """One line of the statement export's CSV (every text cell quoted, the first cell a number)
    with each cell that starts with a formula character prefixed by `'`."""
    return _CELL_START.sub(b",\"'", line)
