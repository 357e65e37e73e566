-- madi schema, version 2: codes a centre adds to the extensible code lists (e.g. its own
-- minority and ethnic groups), valued from 100 up so they never collide with built-in codes.

CREATE TABLE custom_code (
    list TEXT NOT NULL,
    code TEXT NOT NULL,
    label TEXT NOT NULL,
    value INTEGER NOT NULL,
    PRIMARY KEY (list, code),
    UNIQUE (list, value)
);
