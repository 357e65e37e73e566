# Writes a workbook with one sheet per kind (and a notes sheet), inline strings, standard library.
# Modes: bad (girls 30 > participants 12), hidden (bad, and the eore sheet hidden), allhidden
# (every sheet named as a kind hidden).
import sys, zipfile
from xml.sax.saxutils import escape
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
def col(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s
def sheet_xml(rows):
    out = []
    for i, r in enumerate(rows):
        cells = []
        for j, v in enumerate(r):
            ref = f"{col(j)}{i + 1}"
            if v is None:
                continue
            if isinstance(v, int):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        out.append(f'<row r="{i + 1}">{"".join(cells)}</row>')
    return f'<worksheet><sheetData>{"".join(out)}</sheetData></worksheet>'
names = list(sheets)
state = lambda n: ' state="hidden"' if n in hidden else ""
wb = "".join(f'<sheet name="{n}" sheetId="{i + 1}"{state(n)} r:id="rId{i + 1}"/>' for i, n in enumerate(names))
rels = "".join(f'<Relationship Id="rId{i + 1}" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names)))
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("xl/workbook.xml", f'<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>{wb}</sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", f"<Relationships>{rels}</Relationships>")
    for i, n in enumerate(names):
        z.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet_xml(sheets[n]))
