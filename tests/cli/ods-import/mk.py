# Writes an OpenDocument spreadsheet as LibreOffice does: a first sheet of notes, then the data
# with typed cells (float, date, string), repeated empty cells and rows, a text:s space run.
import sys, zipfile
def cell(v, t="string", rep=1):
    r = f' table:number-columns-repeated="{rep}"' if rep > 1 else ""
    if v is None:
        return f"<table:table-cell{r}/>"
    if t == "float":
        return f'<table:table-cell office:value-type="float" office:value="{v}"{r}><text:p>{v}</text:p></table:table-cell>'
    if t == "date":
        return f'<table:table-cell office:value-type="date" office:date-value="{v}T00:00:00"{r}><text:p>14/03/25</text:p></table:table-cell>'
    return f'<table:table-cell office:value-type="string"{r}><text:p>{v}</text:p></table:table-cell>'
def row(cells, rep=1):
    r = f' table:number-rows-repeated="{rep}"' if rep > 1 else ""
    return f"<table:table-row{r}>{''.join(cells)}</table:table-row>"
data = [
    row([cell(h) for h in ["session_id", "date", "organisation", "area", "participants", "girls"]] + [cell(None, rep=1018)]),
    row([cell("S-1"), cell("2025-03-14", "date"), cell("OP-A"), cell("XX01"), cell(12, "float"), cell(5, "float"), cell(None, rep=1018)]),
    row([cell(None, rep=1024)], rep=3),
    row([cell("S-2"), cell("2025-03-15", "date"), cell("OP-A" if len(sys.argv) > 2 else 'OP<text:s text:c="2"/>A'), cell("XX01"), cell(9, "float")]),
    row([cell(None, rep=1024)], rep=1048570),
]
ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}><office:body><office:spreadsheet>'
           f'<table:table table:name="Notes">{row([cell("read me")])}</table:table>'
           f'<table:table table:name="EORE">{"".join(data)}</table:table>'
           '</office:spreadsheet></office:body></office:document-content>')
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", content)
