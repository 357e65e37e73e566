# The same two session submissions, each with a repeat of participants, shaped as KoBoToolbox
# exports them to .xlsx (a sheet per repeat, _index/_parent_index) or as ODK Central exports a
# CSV zip (Form.csv and Form-participants.csv, KEY/PARENT_KEY). Standard library only.
# With a third argument "orphan", the repeat gets one more row (line 5) whose submission, cc33,
# is not in the export.
import csv, io, sys, zipfile
ORPHAN = len(sys.argv) > 3 and sys.argv[3] == "orphan"
subs = [
    {"uuid": "aa11", "date": "2025-03-01", "organisation": "OP-A", "area": "XX01", "review": "ok",
     "people": [("F", 34, "no"), ("M", 9, "")]},
    {"uuid": "bb22", "date": "2025-03-02", "organisation": "OP-A", "area": "XX01", "review": "ok",
     "people": [("U", 61, "yes")]},
]
def kobo(path):
    main = [["start", "session/date", "session/organisation", "session/area", "_id", "_uuid", "_index"]]
    rep = [["participants/sex", "participants/age", "participants/disability", "_index", "_parent_index", "_parent_table_name", "_submission__uuid"]]
    k = 0
    for i, s in enumerate(subs):
        main.append(["2025-03-01T08:00", s["date"], s["organisation"], s["area"], 10 + i, "uuid:" + s["uuid"], i + 1])
        for p in s["people"]:
            k += 1
            rep.append([p[0], p[1], p[2], k, i + 1, "sessions", "uuid:" + s["uuid"]])
    if ORPHAN:
        rep.append(["M", 40, "no", k + 1, 99, "sessions", "uuid:cc33"])
    sheets = {"sessions": main, "participants": rep}
    def col(n):
        r = ""
        n += 1
        while n:
            n, m = divmod(n - 1, 26)
            r = chr(65 + m) + r
        return r
    def sx(rows):
        out = []
        for i, r in enumerate(rows):
            cells = []
            for j, v in enumerate(r):
                ref = f"{col(j)}{i + 1}"
                if v == "":
                    continue
                if isinstance(v, int):
                    cells.append(f'<c r="{ref}"><v>{v}</v></c>')
                else:
                    cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>')
            out.append(f'<row r="{i + 1}">{"".join(cells)}</row>')
        return f"<worksheet><sheetData>{''.join(out)}</sheetData></worksheet>"
    names = list(sheets)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/workbook.xml", '<workbook xmlns:r="r"><sheets>' + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names)) + "</sheets></workbook>")
        z.writestr("xl/_rels/workbook.xml.rels", "<Relationships>" + "".join(f'<Relationship Id="rId{i + 1}" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names))) + "</Relationships>")
        for i, n in enumerate(names):
            z.writestr(f"xl/worksheets/sheet{i + 1}.xml", sx(sheets[n]))
def odk(path):
    main = io.StringIO(); rep = io.StringIO()
    m = csv.writer(main); r = csv.writer(rep)
    m.writerow(["SubmissionDate", "session-date", "session-organisation", "session-area", "meta-instanceID", "KEY", "ReviewState"])
    r.writerow(["participants-sex", "participants-age", "participants-disability", "PARENT_KEY", "KEY"])
    for s in subs:
        key = "uuid:" + s["uuid"]
        m.writerow(["2025-03-01T08:00:00Z", s["date"], s["organisation"], s["area"], key, key, "approved"])
        for j, p in enumerate(s["people"]):
            r.writerow([p[0], p[1], p[2], key, f"{key}/participants[{j + 1}]"])
    if ORPHAN:
        r.writerow(["M", 40, "no", "uuid:cc33", "uuid:cc33/participants[1]"])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Sessions.csv", main.getvalue())
        z.writestr("Sessions-participants.csv", rep.getvalue())
kobo(sys.argv[1]) if sys.argv[2] == "kobo" else odk(sys.argv[1])
