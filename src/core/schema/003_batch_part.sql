-- madi schema, version 3: the part of a file a batch came from (the sheet of a workbook, the
-- repeat table of an export), so that two sheets of one workbook are two batches, not one
-- re-import. '' for a CSV file.

ALTER TABLE batch ADD COLUMN part TEXT NOT NULL DEFAULT '';
