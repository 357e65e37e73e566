# Hostile or awkward workbooks: a password-protected one (an OLE2 container, as Excel writes
# encrypted files), and a sheet of a million empty rows after the data.
import sys, zipfile
open("protected.xlsx", "wb").write(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504)
rows = ['<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>name</t></is></c></row>',
        '<row r="2"><c r="A2" t="inlineStr"><is><t>OP-E</t></is></c><c r="B2" t="inlineStr"><is><t>Empty Rows Ltd</t></is></c></row>']
rows += [f'<row r="{n}"/>' for n in range(3, 1000003)]
with zipfile.ZipFile("empty-rows.xlsx", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>')
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships><Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>')
    z.writestr("xl/worksheets/sheet1.xml", "<worksheet><sheetData>" + "".join(rows) + "</sheetData></worksheet>")
