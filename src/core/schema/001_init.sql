-- madi schema, version 1. Portable SQL (SQLite and PostgreSQL): INTEGER, TEXT, REAL,
-- foreign keys, UNIQUE. Dates are INTEGER yyyymmdd; code-list values are INTEGER (see the
-- code table); NULL always means "not reported", never zero and never unknown.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE code (
    list TEXT NOT NULL,
    value INTEGER NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (list, value)
);

CREATE TABLE band_set (
    name TEXT PRIMARY KEY,
    description TEXT NOT NULL
);

CREATE TABLE band (
    band_set TEXT NOT NULL REFERENCES band_set(name),
    lo INTEGER NOT NULL,
    hi INTEGER,
    label TEXT NOT NULL,
    PRIMARY KEY (band_set, lo)
);

CREATE TABLE batch (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'replaced')),
    replaced_by INTEGER REFERENCES batch(id)
);
CREATE INDEX batch_sha256 ON batch(sha256);

CREATE TABLE column_alias (
    kind TEXT NOT NULL,
    alias TEXT NOT NULL,
    field TEXT NOT NULL,
    PRIMARY KEY (kind, alias)
);

CREATE TABLE organisation (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE,
    name TEXT,
    type INTEGER,
    accreditation INTEGER,
    psea_policy INTEGER,
    safeguarding_policy INTEGER,
    gender_diversity_policy INTEGER,
    data_protection_sop INTEGER
);

CREATE TABLE area (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE,
    name TEXT,
    level INTEGER,
    parent_id INTEGER REFERENCES area(id)
);

CREATE TABLE hazard (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    code TEXT NOT NULL UNIQUE,
    type INTEGER,
    status INTEGER,
    area_id INTEGER REFERENCES area(id),
    organisation_id INTEGER REFERENCES organisation(id),
    size_m2 REAL,
    device INTEGER,
    date_recorded INTEGER
);

CREATE TABLE survey_team (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    provisional INTEGER NOT NULL DEFAULT 0,
    team_id TEXT NOT NULL UNIQUE,
    organisation_id INTEGER REFERENCES organisation(id),
    type INTEGER,
    members INTEGER,
    female INTEGER,
    male INTEGER,
    sex_unknown INTEGER,
    active_from INTEGER,
    active_to INTEGER
);

CREATE TABLE eore_session (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    session_id TEXT NOT NULL UNIQUE,
    date INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    area_id INTEGER NOT NULL REFERENCES area(id),
    method INTEGER,
    participants INTEGER NOT NULL,
    girls INTEGER,
    boys INTEGER,
    women INTEGER,
    men INTEGER,
    sex_age_unknown INTEGER,
    with_disability INTEGER,
    without_disability INTEGER,
    disability_unknown INTEGER,
    displaced INTEGER,
    count_method INTEGER
);

CREATE TABLE eore_attendance (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    record_id TEXT UNIQUE,
    session_id TEXT,
    date INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    area_id INTEGER NOT NULL REFERENCES area(id),
    person_key INTEGER,
    sex INTEGER,
    age INTEGER,
    age_band_lo INTEGER,
    age_band_hi INTEGER,
    disability INTEGER,
    wg_seeing INTEGER,
    wg_hearing INTEGER,
    wg_walking INTEGER,
    wg_remembering INTEGER,
    wg_selfcare INTEGER,
    wg_communicating INTEGER,
    displacement INTEGER,
    minority INTEGER,
    female_headed_household INTEGER,
    caregiver INTEGER
);

CREATE TABLE land_release (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    activity_id TEXT NOT NULL UNIQUE,
    activity INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    area_id INTEGER NOT NULL REFERENCES area(id),
    hazard_id INTEGER REFERENCES hazard(id),
    start_date INTEGER NOT NULL,
    end_date INTEGER,
    area_cancelled_m2 REAL,
    area_reduced_m2 REAL,
    area_cleared_m2 REAL,
    devices_destroyed INTEGER,
    direct_participants INTEGER NOT NULL,
    direct_girls INTEGER,
    direct_boys INTEGER,
    direct_women INTEGER,
    direct_men INTEGER,
    direct_sex_age_unknown INTEGER,
    direct_with_disability INTEGER,
    indirect_participants INTEGER,
    indirect_women_girls INTEGER,
    indirect_men_boys INTEGER,
    indirect_sex_unknown INTEGER,
    count_method INTEGER
);

CREATE TABLE consultation (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    meeting_id TEXT NOT NULL UNIQUE,
    date INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    area_id INTEGER NOT NULL REFERENCES area(id),
    participants INTEGER NOT NULL,
    girls INTEGER,
    boys INTEGER,
    women INTEGER,
    men INTEGER,
    sex_age_unknown INTEGER,
    with_disability INTEGER,
    without_disability INTEGER,
    disability_unknown INTEGER,
    minority_members INTEGER,
    priorities_disaggregated INTEGER
);

CREATE TABLE casualty (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    casualty_id TEXT UNIQUE,
    incident_id TEXT,
    date INTEGER NOT NULL,
    area_id INTEGER NOT NULL REFERENCES area(id),
    victim_type INTEGER NOT NULL,
    outcome INTEGER,
    sex INTEGER,
    age INTEGER,
    age_band_lo INTEGER,
    age_band_hi INTEGER,
    disability INTEGER,
    wg_seeing INTEGER,
    wg_hearing INTEGER,
    wg_walking INTEGER,
    wg_remembering INTEGER,
    wg_selfcare INTEGER,
    wg_communicating INTEGER,
    displacement INTEGER,
    minority INTEGER,
    female_headed_household INTEGER,
    caregiver INTEGER,
    civilian_status INTEGER,
    device INTEGER
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    staff_id TEXT NOT NULL UNIQUE,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    sex INTEGER,
    birth_year INTEGER,
    disability INTEGER,
    role INTEGER NOT NULL,
    grade TEXT,
    leadership INTEGER,
    operational INTEGER,
    eod_technical INTEGER,
    hire_date INTEGER NOT NULL,
    exit_date INTEGER,
    exit_reason INTEGER,
    displacement INTEGER,
    minority INTEGER
);

CREATE TABLE training (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    training_id TEXT NOT NULL UNIQUE,
    date INTEGER NOT NULL,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    topic INTEGER NOT NULL,
    team_id INTEGER REFERENCES survey_team(id),
    participants INTEGER NOT NULL,
    female INTEGER,
    male INTEGER,
    sex_unknown INTEGER
);

CREATE TABLE population (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    area_id INTEGER NOT NULL REFERENCES area(id),
    year INTEGER NOT NULL,
    sex INTEGER NOT NULL,
    age_band_lo INTEGER NOT NULL,
    age_band_hi INTEGER,
    population INTEGER NOT NULL,
    source INTEGER,
    UNIQUE (area_id, year, sex, age_band_lo)
);

CREATE INDEX eore_session_batch ON eore_session(batch_id);
CREATE INDEX eore_attendance_batch ON eore_attendance(batch_id);
CREATE INDEX land_release_batch ON land_release(batch_id);
CREATE INDEX consultation_batch ON consultation(batch_id);
CREATE INDEX casualty_batch ON casualty(batch_id);
CREATE INDEX staff_batch ON staff(batch_id);
CREATE INDEX training_batch ON training(batch_id);
CREATE INDEX population_batch ON population(batch_id);
