-- Villages and communities. A hall may belong to a town hall (parent) and
-- says what it serves (kind); an item is on one hall's board (hall_id, ''
-- for the whole township), by its working copy and by its published
-- revision (pub_hall_id, NULL before the first publish).
ALTER TABLE halls ADD COLUMN kind TEXT NOT NULL DEFAULT 'town';
ALTER TABLE halls ADD COLUMN parent TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN hall_id TEXT NOT NULL DEFAULT '';
ALTER TABLE items ADD COLUMN pub_hall_id TEXT;
UPDATE items SET pub_hall_id = '' WHERE pub_revision IS NOT NULL;
