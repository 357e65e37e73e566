-- madi schema, version 4: the HXL attributes SADDD uses that had no column: people of another
-- sex (+i), older people (+elderly), refugees among the displaced (+refugees).

ALTER TABLE eore_session ADD COLUMN other_sex INTEGER;
ALTER TABLE eore_session ADD COLUMN elderly INTEGER;
ALTER TABLE eore_session ADD COLUMN refugees INTEGER;
ALTER TABLE consultation ADD COLUMN other_sex INTEGER;
ALTER TABLE consultation ADD COLUMN elderly INTEGER;
