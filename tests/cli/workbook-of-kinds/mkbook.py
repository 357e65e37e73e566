# Writes a workbook with one sheet per kind (and a notes sheet).
# Modes: bad (girls 30 > participants 12), hidden (bad, and the eore sheet hidden), allhidden
# (every sheet named as a kind hidden).
import sys
from xlsxw import write_xlsx
mode = sys.argv[2] if len(sys.argv) > 2 else ""
bad = mode in ("bad", "hidden")
hidden = {"hidden": ["eore"], "allhidden": ["eore", "organisation", "area"]}.get(mode, [])
sheets = {
    "Notes": [["This workbook holds our March report"]],
    "eore": [["session_id", "date", "organisation", "area", "participants", "girls"],
             ["S-1", "2025-03-02", "OP-A", "XX01", 12, 30 if bad else 5]],
    "organisation": [["code", "name"], ["OP-A", "Alpha Demining"]],
    "area": [["code", "name", "level", "parent"], ["XX", "Country", 0, None], ["XX01", "North", 1, "XX"]],
}
write_xlsx(sys.argv[1], sheets, hidden)
