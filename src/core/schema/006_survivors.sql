-- Survivors (victim assistance): survivors and indirect victims, their needs, referrals and
-- consent, and the append-only audit log. Personal columns (name, id_number, phone, address,
-- home_location, notes) hold only ciphertext ("v1:" + base64), written by privacy.c.

CREATE TABLE survivor (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    survivor_id TEXT NOT NULL UNIQUE,
    name TEXT,
    casualty_id TEXT,
    incident_id TEXT,
    organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    date_of_injury INTEGER,
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
    birth_year INTEGER,
    civilian_status INTEGER,
    id_number TEXT,
    phone TEXT,
    address TEXT,
    home_location TEXT,
    notes TEXT,
    person_key INTEGER,
    name_key INTEGER,
    erased_at TEXT
);
CREATE INDEX survivor_person_key ON survivor(person_key);
CREATE INDEX survivor_name_key ON survivor(name_key);

CREATE TABLE consent (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    consent_id TEXT NOT NULL UNIQUE,
    survivor_id TEXT NOT NULL REFERENCES survivor(survivor_id) DEFERRABLE INITIALLY DEFERRED,
    scope INTEGER NOT NULL,
    given INTEGER NOT NULL,
    date INTEGER NOT NULL,
    recorded_by_id INTEGER NOT NULL REFERENCES organisation(id)
);
CREATE INDEX consent_survivor ON consent(survivor_id, scope);

CREATE TABLE need (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    need_id TEXT NOT NULL UNIQUE,
    survivor_id TEXT NOT NULL REFERENCES survivor(survivor_id) DEFERRABLE INITIALLY DEFERRED,
    element INTEGER NOT NULL,
    date_identified INTEGER NOT NULL,
    assessed_by_id INTEGER NOT NULL REFERENCES organisation(id),
    status INTEGER,
    notes TEXT
);

CREATE TABLE referral (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    referral_id TEXT NOT NULL UNIQUE,
    survivor_id TEXT NOT NULL REFERENCES survivor(survivor_id) DEFERRABLE INITIALLY DEFERRED,
    need_id TEXT REFERENCES need(need_id) DEFERRABLE INITIALLY DEFERRED,
    from_organisation_id INTEGER NOT NULL REFERENCES organisation(id),
    to_provider TEXT NOT NULL,
    provider_type INTEGER NOT NULL,
    date_referred INTEGER NOT NULL,
    due_date INTEGER,
    status INTEGER NOT NULL,
    outcome INTEGER,
    outcome_date INTEGER,
    notes TEXT
);

-- Append-only and hash-chained: hash = keyed BLAKE2b over every other column, or SHA-256 for
-- entries written before the chain was keyed (audit.c).
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    reason TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
