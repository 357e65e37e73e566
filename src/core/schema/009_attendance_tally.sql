-- madi schema (issue #4): the delivery method of the session an attendance record is from, and
-- the attendance lists packed narrow for tallies. An import of eore-attendance writes, in the
-- batch's own transaction, every stored row again as one fixed-width record (person key, day,
-- organisation, area, method, sex, age, disability) in blocks of up to 65536 rows, so that
-- counts and distinct people over millions of rows are one sequential read (madi attendance,
-- src/core/tally.c) instead of SQL GROUP BY over the wide table. The rows in eore_attendance
-- remain the record; a block is derived from them and goes with its batch. A batch imported
-- before this version has no blocks and is tallied from its rows.

ALTER TABLE eore_attendance ADD COLUMN activity INTEGER;

CREATE TABLE eore_attendance_pack (
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    seq INTEGER NOT NULL,
    nrows INTEGER NOT NULL,
    format INTEGER NOT NULL,
    rows BLOB NOT NULL,
    PRIMARY KEY (batch_id, seq)
);
