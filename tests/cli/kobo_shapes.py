# The same two session submissions, each with a repeat of participants, shaped as KoBoToolbox
# exports them to .xlsx (a sheet per repeat, _index/_parent_index) or as ODK Central exports a
# CSV zip (Form.csv and Form-participants.csv, KEY/PARENT_KEY). Standard library only.
# Usage: kobo_shapes.py PATH kobo|odk [orphan|rejected]
#   orphan:   the repeat gets one more row (line 5) whose submission, cc33, is not in the export
#   rejected: the reviewers rejected the second submission (bb22)
import csv, io, sys, zipfile
from xlsxw import write_xlsx
MODE = sys.argv[3] if len(sys.argv) > 3 else ""
subs = [
    {"uuid": "aa11", "date": "2025-03-01", "organisation": "OP-A", "area": "XX01",
     "people": [("F", 34, "no"), ("M", 9, "")]},
    {"uuid": "bb22", "date": "2025-03-02", "organisation": "OP-A", "area": "XX01",
     "people": [("U", 61, "yes")]},
]
def kobo(path):
    main = [["start", "session/date", "session/organisation", "session/area", "_id", "_uuid", "_index"]]
    if MODE == "rejected":
        main[0].append("_validation_status")
    rep = [["participants/sex", "participants/age", "participants/disability", "_index", "_parent_index", "_parent_table_name", "_submission__uuid"]]
    k = 0
    for i, s in enumerate(subs):
        main.append(["2025-03-01T08:00", s["date"], s["organisation"], s["area"], 10 + i, "uuid:" + s["uuid"], i + 1])
        if MODE == "rejected":
            main[-1].append("validation_status_not_approved" if i == 1 else "validation_status_approved")
        for p in s["people"]:
            k += 1
            rep.append([p[0], p[1], p[2], k, i + 1, "sessions", "uuid:" + s["uuid"]])
    if MODE == "orphan":
        rep.append(["M", 40, "no", k + 1, 99, "sessions", "uuid:cc33"])
    write_xlsx(path, {"sessions": main, "participants": rep})
def odk(path):
    main = io.StringIO(); rep = io.StringIO()
    m = csv.writer(main); r = csv.writer(rep)
    m.writerow(["SubmissionDate", "session-date", "session-organisation", "session-area", "meta-instanceID", "KEY", "ReviewState"])
    r.writerow(["participants-sex", "participants-age", "participants-disability", "PARENT_KEY", "KEY"])
    for s in subs:
        key = "uuid:" + s["uuid"]
        review = "rejected" if MODE == "rejected" and s["uuid"] == "bb22" else "approved"
        m.writerow(["2025-03-01T08:00:00Z", s["date"], s["organisation"], s["area"], key, key, review])
        for j, p in enumerate(s["people"]):
            r.writerow([p[0], p[1], p[2], key, f"{key}/participants[{j + 1}]"])
    if MODE == "orphan":
        r.writerow(["M", 40, "no", "uuid:cc33", "uuid:cc33/participants[1]"])
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("Sessions.csv", main.getvalue())
        z.writestr("Sessions-participants.csv", rep.getvalue())
kobo(sys.argv[1]) if sys.argv[2] == "kobo" else odk(sys.argv[1])
