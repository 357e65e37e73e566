# A minimal .xlsx writer for the golden cases (standard library only): one sheet per entry of
# `sheets` (name -> rows), inline strings, ints as numbers, None and "" as empty cells; sheets
# named in `hidden` get state="hidden". Cases import it with PYTHONPATH set by tests/cli/run.
import zipfile
from xml.sax.saxutils import escape

def col(n):
    """Spreadsheet column name of 0-based column n (0 -> A, 26 -> AA)."""
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
            if v is None or v == "":
                continue
            if isinstance(v, int):
                cells.append(f'<c r="{ref}"><v>{v}</v></c>')
            else:
                cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        out.append(f'<row r="{i + 1}">{"".join(cells)}</row>')
    return f'<worksheet><sheetData>{"".join(out)}</sheetData></worksheet>'

def write_xlsx(path, sheets, hidden=()):
    names = list(sheets)
    state = lambda n: ' state="hidden"' if n in hidden else ""
    wb = "".join(f'<sheet name="{n}" sheetId="{i + 1}"{state(n)} r:id="rId{i + 1}"/>'
                 for i, n in enumerate(names))
    rels = "".join(f'<Relationship Id="rId{i + 1}" Target="worksheets/sheet{i + 1}.xml"/>'
                   for i in range(len(names)))
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns:r="http://schemas.openxmlformats.org/'
                   f'officeDocument/2006/relationships"><sheets>{wb}</sheets></workbook>')
        z.writestr("xl/_rels/workbook.xml.rels", f"<Relationships>{rels}</Relationships>")
        for i, n in enumerate(names):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", sheet_xml(sheets[n]))
