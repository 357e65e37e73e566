# Shapes the submissions below as KoBoToolbox or ODK Central would export them from the form
# madi wrote (form.xlsx): question names read from its survey sheet, put in a group, plus the
# tools' own columns. Follows the tools' documented conventions; standard library only.
import csv, re, sys, zipfile
tool, form, out = sys.argv[1], sys.argv[2], sys.argv[3]
z = zipfile.ZipFile(form)
sst = re.findall(r"<si><t[^>]*>([^<]*)</t></si>", z.read("xl/sharedStrings.xml").decode())
sheet = z.read("xl/worksheets/sheet1.xml").decode()
names = []
for row in re.findall(r'<row r="(\d+)"[^>]*>(.*?)</row>', sheet):
    cells = dict(re.findall(r'<c r="([A-Z]+)\d+"[^>]*t="s"[^>]*><v>(\d+)</v>', row[1]))
    if row[0] != "1" and "B" in cells:
        names.append(sst[int(cells["B"])])
subs = [
    {"date": "2025-03-01", "organisation": "OP-A", "area": "XX01", "sex": "F", "age": "34",
     "disability": "no", "uuid": "0a1b", "review": "ok"},
    {"date": "2025-03-01", "organisation": "OP-A", "area": "XX01", "sex": "M", "age": "9",
     "wg_walking": "3", "uuid": "0a1c", "review": "ok"},
    {"date": "2025-03-02", "organisation": "OP-A", "area": "XX01", "sex": "U", "age": "200",
     "uuid": "0a1d", "review": "rejected"},
]
sep = "/" if tool == "kobo" else "-"
qs = [n for n in names if n != "record_id"]
if tool == "kobo":
    head = ["start", "end"] + [f"person{sep}{q}" for q in qs] + ["_id", "_uuid", "_submission_time", "_validation_status", "_index"]
else:
    head = ["SubmissionDate"] + [f"person{sep}{q}" for q in qs] + ["meta-instanceID", "KEY", "SubmitterID", "ReviewState"]
w = csv.writer(open(out, "w", newline=""))
w.writerow(head)
for i, s in enumerate(subs):
    vals = [s.get(q, "") for q in qs]
    u = "uuid:" + s["uuid"]
    if tool == "kobo":
        st = "validation_status_not_approved" if s["review"] == "rejected" else "validation_status_approved"
        w.writerow(["2025-03-01T10:00", "2025-03-01T10:05"] + vals + [100 + i, u, "2025-03-01T10:06", st, i + 1])
    else:
        w.writerow(["2025-03-01T10:06:00Z"] + vals + [u, u, "7", "rejected" if s["review"] == "rejected" else "approved"])
