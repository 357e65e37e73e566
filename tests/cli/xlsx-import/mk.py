# Writes a workbook: a header row,
# shared strings, numbers as numbers, a date as a styled serial number, and one bad cell.
import sys, zipfile
rows = [
    ["session_id", "date", "organisation", "area", "participants", "girls", "boys"],
    ["S-1", 45730, "OP-A", "XX01", 10, 4, 5],
    ["S-2", 45731, "OP-A", "XX01", 8, -2, None],
    ["S-3", "2025-03-16", "OP-A", "XX01", 7, None, 3],
]
sst = []
def cell(ref, v, style_date):
    if v is None:
        return ""
    if isinstance(v, str):
        if v not in sst:
            sst.append(v)
        return f'<c r="{ref}" t="s"><v>{sst.index(v)}</v></c>'
    s = ' s="1"' if style_date else ""
    return f'<c r="{ref}"{s}><v>{v}</v></c>'
body = ""
for i, r in enumerate(rows):
    cells = "".join(cell(f"{chr(65 + j)}{i + 1}", v, j == 1 and i > 0) for j, v in enumerate(r))
    body += f'<row r="{i + 1}">{cells}</row>'
ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
rel = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
parts = {
    "xl/workbook.xml": f'<workbook {ns} {rel}><sheets><sheet name="Sessions" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
    "xl/styles.xml": f'<styleSheet {ns}><numFmts count="1"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>',
    "xl/sharedStrings.xml": f'<sst {ns}>' + "".join(f"<si><t>{s}</t></si>" for s in sst) + "</sst>",
    "xl/worksheets/sheet1.xml": f"<worksheet {ns}><sheetData>{body}</sheetData></worksheet>",
}
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for k, v in parts.items():
        z.writestr(k, v)
