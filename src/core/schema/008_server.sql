-- madi schema, version 8: accounts, sessions and case assignments for the server (auth.c), and
-- operators' submissions on their way in, with the findings of their checks (submission.c).
-- Times the caller passes in (`now`: logins, sessions, lockouts) are INTEGER Unix seconds;
-- times madi records itself are TEXT ISO 8601 UTC, as in batch and audit_log.

CREATE TABLE app_user (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('operator', 'reviewer', 'analyst', 'caseworker', 'admin')),
    -- the organisation an operator's data officer speaks for; NULL for every other role
    organisation_id INTEGER REFERENCES organisation(id),
    password_hash TEXT NOT NULL, -- Argon2id, libsodium's crypto_pwhash_str format
    failed_count INTEGER NOT NULL DEFAULT 0, -- failed logins in a row
    locked_until INTEGER NOT NULL DEFAULT 0, -- Unix seconds; no lock when in the past
    disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
    created_at TEXT NOT NULL,
    CHECK ((role = 'operator') = (organisation_id IS NOT NULL))
);

-- Only the BLAKE2b-256 hash of a session's token is kept (hex): the database alone cannot be
-- used to take over a session. The CSRF token is not a secret on its own and is kept as is.
CREATE TABLE app_session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    csrf TEXT NOT NULL,
    created INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    expires INTEGER NOT NULL -- the earlier of the idle and the absolute expiry
);
CREATE INDEX app_session_user ON app_session(user_id);

-- The survivors a case worker may see. survivor_id is the survivor record's own id, not a
-- foreign key: a survivors' batch replaced by a corrected file keeps its assignments.
CREATE TABLE case_assignment (
    user_id INTEGER NOT NULL REFERENCES app_user(id),
    survivor_id TEXT NOT NULL,
    assigned_at TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    PRIMARY KEY (user_id, survivor_id)
);

-- A file uploaded for review, kept byte for byte; approved, it becomes batches (batch.submission_id).
CREATE TABLE submission (
    id INTEGER PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('invalid', 'draft', 'submitted', 'approved', 'returned')),
    organisation_id INTEGER REFERENCES organisation(id), -- NULL: the centre's own
    file_name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    -- the bytes as uploaded; when the database has the centre's key, always encrypted with it
    -- (privacy.c, bound to table, column and sha256), as the file may hold personal fields
    content BLOB NOT NULL,
    content_sealed INTEGER NOT NULL DEFAULT 0 CHECK (content_sealed IN (0, 1)),
    kind TEXT NOT NULL,   -- the kind recognised, "workbook" for several sheets, "" if none
    kind_asked TEXT,      -- --kind as given at upload, or NULL (recognise again on approval)
    sheet TEXT,           -- --sheet as given, or NULL
    uploaded_by TEXT NOT NULL,
    uploaded_at TEXT NOT NULL,
    row_count INTEGER NOT NULL,
    error_count INTEGER NOT NULL,
    warning_count INTEGER NOT NULL,
    submitted_at TEXT,
    submitted_by TEXT,
    reviewed_by TEXT,
    reviewed_at TEXT,
    comment TEXT,
    replaces INTEGER REFERENCES batch(id), -- the active batch this corrects, or NULL
    batch_id INTEGER REFERENCES batch(id)  -- the first batch it became, once approved
);
CREATE INDEX submission_sha256 ON submission(sha256);
CREATE INDEX submission_state ON submission(state);

CREATE TABLE submission_finding (
    submission_id INTEGER NOT NULL REFERENCES submission(id),
    seq INTEGER NOT NULL, -- file order, as the checks found them
    level INTEGER NOT NULL CHECK (level IN (0, 1, 2)), -- error, warning, note (import.h)
    sheet TEXT,           -- NULL for CSV
    line INTEGER NOT NULL,
    col INTEGER NOT NULL,
    field TEXT,
    msg TEXT NOT NULL,
    PRIMARY KEY (submission_id, seq)
);

ALTER TABLE batch ADD COLUMN submission_id INTEGER REFERENCES submission(id);
