#!/usr/bin/python3
"""The benchmark job in pandas: load the attendance CSV and the area register, then compute
(b) counts by year x quarter x district x activity x sex x age band x disability and (c)
distinct people by year x province x sex, written as madi writes them (blank = _N).

usage: pandas_job.py DATA_DIR OUT_B OUT_C    (prints {"load": s, "compute": s} as JSON)
"""
import json
import sys
import time

import numpy as np
import pandas as pd

data, out_b, out_c = sys.argv[1:4]
t0 = time.perf_counter()
att = pd.read_csv(f"{data}/attendance.csv", dtype=str, keep_default_na=False,
                  usecols=["date", "area", "activity", "person_key", "sex", "age", "disability"])
area = pd.read_csv(f"{data}/area.csv", dtype=str, keep_default_na=False)
t1 = time.perf_counter()

year = att["date"].str.slice(0, 4)
month = att["date"].str.slice(5, 7).astype(np.int8)
quarter = "Q" + ((month + 2) // 3).astype(str)
age = pd.to_numeric(att["age"], errors="coerce")
band = pd.cut(age, [-1, 4, 11, 17, 24, 59, 1000],
              labels=["0-4", "5-11", "12-17", "18-24", "25-59", "60+"])
band = band.cat.add_categories(["_N"]).fillna("_N").astype(str)


def na(s):
    return s.where(s != "", "_N")


b = pd.DataFrame({"year": year, "quarter": quarter, "district": att["area"],
                  "activity": na(att["activity"]), "sex": na(att["sex"]), "age_band": band,
                  "disability": na(att["disability"])})
cb = b.groupby(list(b.columns), sort=False).size().reset_index(name="attendances")
cb.to_csv(out_b, index=False)

parent = dict(zip(area["code"], area["parent"]))
keyed = att["person_key"] != ""
c = pd.DataFrame({"year": year[keyed], "province": att["area"][keyed].map(parent),
                  "sex": na(att["sex"][keyed]), "key": att["person_key"][keyed]})
cc = c.groupby(["year", "province", "sex"], sort=False)["key"].nunique().reset_index(name="people")
cc.to_csv(out_c, index=False)
t2 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "compute": t2 - t1,
                  "version": "pandas %s, numpy %s" % (pd.__version__, np.__version__)}))
