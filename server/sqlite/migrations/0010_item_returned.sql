-- A reviewer's request for changes on an item sent back to draft (JSON:
-- by, at, comment), NULL when there is none.
ALTER TABLE items ADD COLUMN returned TEXT;
