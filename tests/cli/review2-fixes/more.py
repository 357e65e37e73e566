# An ODK-looking zip with two unrelated tables; an .ods cell with a comment.
import sys, zipfile
with zipfile.ZipFile("two.zip", "w") as z:
    h = "SubmissionDate,session_id,date,organisation,area,participants,KEY\n"
    z.writestr("March.csv", h + "x,M-1,2025-03-02,OP-A,XX01,5,uuid:m1\n")
    z.writestr("April.csv", h + "x,A-1,2025-04-02,OP-A,XX01,6,uuid:a1\n")
ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
def c(v, note=False):
    n = "<office:annotation><text:p>check this</text:p></office:annotation>" if note else ""
    return f'<table:table-cell office:value-type="string">{n}<text:p>{v}</text:p></table:table-cell>'
rows = [[c("code"), c("name")], [c("OP-N", True), c("Noted")]]
body = "".join("<table:table-row>" + "".join(r) + "</table:table-row>" for r in rows)
with zipfile.ZipFile("note.ods", "w") as z:
    z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    z.writestr("content.xml", f'<office:document-content {ns}><office:body><office:spreadsheet><table:table table:name="S">{body}</table:table></office:spreadsheet></office:body></office:document-content>')
