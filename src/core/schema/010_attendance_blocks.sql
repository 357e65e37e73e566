-- madi schema (issue #4): attendance lists stored column by column in blocks.
--
-- Individual attendance records are the kind that grows to tens of millions of rows. Storing
-- each as a row of a wide table with a text unique index cost SQLite 2-3 microseconds a row,
-- four times madi's own work. From this version the records live in eore_attendance_block:
-- one row per block of up to 65536 records of one batch, each column encoded on its own
-- (src/core/rowstore.c). eore_attendance becomes a read-only virtual table over the blocks,
-- with the same columns as before (module madi_rows, registered by madi on every connection;
-- the sqlite3 shell reads it after '.load build/madi_rows', madi's extension; without it, use
-- 'madi sql' or 'madi export eore-attendance').
-- record_id stays unique across the store: the importer checks it (src/core/import.c).
--
-- The rows of the old table are moved into blocks by madi right after this script, in the
-- same transaction (rs_adopt_wide), and the packed copy of schema 009 is dropped: the blocks
-- hold every column and the tallies read them.

ALTER TABLE eore_attendance RENAME TO eore_attendance_v9;
DROP INDEX eore_attendance_batch;
DROP TABLE eore_attendance_pack;

CREATE TABLE eore_attendance_block (
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    seq INTEGER NOT NULL,
    nrows INTEGER NOT NULL,
    format INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (batch_id, seq)
);

CREATE VIRTUAL TABLE eore_attendance USING madi_rows(eore-attendance);

-- The size of each imported file: a file can only be one already imported if a batch has its
-- size, so for any other the importer does not wait for the file's hash before it reads the
-- rows (it is taken alongside). NULL for batches imported before.
ALTER TABLE batch ADD COLUMN file_size INTEGER;
