import sys, zipfile
def sheet(rows):
    out = []
    for i, r in enumerate(rows):
        cells = "".join(f'<c r="{chr(65 + j)}{i + 1}" t="inlineStr"><is><t>{v}</t></is></c>' for j, v in enumerate(r))
        out.append(f'<row r="{i + 1}">{cells}</row>')
    return f"<worksheet><sheetData>{''.join(out)}</sheetData></worksheet>"
h = ["session_id", "date", "organisation", "area", "participants"]
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="January" sheetId="1" r:id="rId1"/><sheet name="February" sheetId="2" r:id="rId2"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Target="worksheets/sheet2.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", sheet([h, ["J1", "2025-01-05", "OP-A", "XX01", "10"]]))
    z.writestr("xl/worksheets/sheet2.xml", sheet([h, ["F1", "2025-02-05", "OP-A", "XX01", "20"]]))
