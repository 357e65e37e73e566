-- madi schema, version 5: what the indicator engine needs beyond the spine.
--  * organisation: pre-qualification and the policies built or improved after it;
--  * population: baselines for persons with disabilities and displaced people (within the
--    area, year, sex and age band of the row), for representation ratios;
--  * target: national targets per indicator, year and group;
--  * reporting_plan: which operator is expected to report which kind, how often, in a year
--    (the base of completeness);
--  * indicator_def: indicators a centre added to the catalogue (madi indicators --add).

ALTER TABLE organisation ADD COLUMN prequalified INTEGER;
ALTER TABLE organisation ADD COLUMN psea_policy_improved INTEGER;
ALTER TABLE organisation ADD COLUMN gender_policy_improved INTEGER;

ALTER TABLE population ADD COLUMN with_disability INTEGER;
ALTER TABLE population ADD COLUMN displaced INTEGER;

CREATE TABLE target (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    indicator TEXT NOT NULL,
    year INTEGER NOT NULL,
    subgroup TEXT NOT NULL,
    target REAL NOT NULL,
    baseline REAL,
    baseline_year INTEGER,
    source TEXT,
    UNIQUE (indicator, year, subgroup)
);
CREATE INDEX target_batch ON target(batch_id);

CREATE TABLE reporting_plan (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    kind INTEGER NOT NULL,
    year INTEGER NOT NULL,
    frequency INTEGER NOT NULL,
    UNIQUE (organisation_id, kind, year)
);
CREATE INDEX reporting_plan_batch ON reporting_plan(batch_id);

CREATE TABLE indicator_def (
    id TEXT PRIMARY KEY,
    definition TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
);
