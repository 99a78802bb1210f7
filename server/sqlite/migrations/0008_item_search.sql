-- Search. Each published revision carries its index document (terms made by
-- server/search at publish, separated by spaces: the title's and the rest's),
-- and item_search indexes it with FTS5. The document is already cut into
-- terms, so the ascii tokenizer only splits it at the spaces. The triggers
-- keep the index in the transaction of every write to items; rows published
-- before this migration get their document when the store opens.
ALTER TABLE items ADD COLUMN pub_index_title TEXT;
ALTER TABLE items ADD COLUMN pub_index_text TEXT;

-- item_search_keys gives each indexed item a stable integer, its rowid in
-- item_search (the items table's own rowid may change on VACUUM).
CREATE TABLE item_search_keys (
	k       INTEGER PRIMARY KEY,
	item_id TEXT NOT NULL UNIQUE
) STRICT;

CREATE VIRTUAL TABLE item_search USING fts5(
	title_terms, text_terms,
	content = '', contentless_delete = 1,
	tokenize = 'ascii'
);

-- A search reads these columns of every match to filter and order it
-- before it takes a page; from this index, not from the rows, which are
-- large (body, search text, index document) and keep these columns last.
CREATE INDEX items_public_search ON items (
	id, pub_revision, pub_published_at, pub_withdrawn_at, pub_valid_from, pub_valid_until,
	pub_category, pub_department, pub_matter_id
) WHERE pub_revision IS NOT NULL;

CREATE TRIGGER items_search_insert AFTER INSERT ON items
WHEN new.pub_index_title IS NOT NULL
BEGIN
	INSERT OR IGNORE INTO item_search_keys (item_id) VALUES (new.id);
	INSERT INTO item_search (rowid, title_terms, text_terms)
		SELECT k, new.pub_index_title, new.pub_index_text FROM item_search_keys WHERE item_id = new.id;
END;

CREATE TRIGGER items_search_update AFTER UPDATE OF pub_index_title, pub_index_text ON items
WHEN old.pub_index_title IS NOT new.pub_index_title OR old.pub_index_text IS NOT new.pub_index_text
BEGIN
	DELETE FROM item_search WHERE rowid = (SELECT k FROM item_search_keys WHERE item_id = old.id);
	INSERT OR IGNORE INTO item_search_keys (item_id) SELECT new.id WHERE new.pub_index_title IS NOT NULL;
	INSERT INTO item_search (rowid, title_terms, text_terms)
		SELECT k, new.pub_index_title, new.pub_index_text FROM item_search_keys
		WHERE item_id = new.id AND new.pub_index_title IS NOT NULL;
END;

CREATE TRIGGER items_search_delete AFTER DELETE ON items
BEGIN
	DELETE FROM item_search WHERE rowid = (SELECT k FROM item_search_keys WHERE item_id = old.id);
	DELETE FROM item_search_keys WHERE item_id = old.id;
END;
