-- madi schema, version 7: the WPS alignment scorecard's self-assessment answers, for what data
-- cannot show (legislation, strategy, resources): one dated answer per item, the latest on or
-- before a report's period end counts.

CREATE TABLE self_assessment (
    id INTEGER PRIMARY KEY,
    batch_id INTEGER NOT NULL REFERENCES batch(id),
    line INTEGER NOT NULL,
    item TEXT NOT NULL,
    date INTEGER NOT NULL,
    answer INTEGER NOT NULL,
    assessed_by TEXT,
    note TEXT,
    UNIQUE (item, date)
);
CREATE INDEX self_assessment_batch ON self_assessment(batch_id);
