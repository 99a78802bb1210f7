-- Redaction. A publish leaf in format 2 commits to its revision by a salted
-- hash; the revision's content and salt are kept beside the leaf so that an
-- admin can delete them (redact) without changing the leaf. Both are NULL
-- for format-1 leaves (their content is inside the leaf), for other kinds
-- of entry, and once redacted.
ALTER TABLE archive ADD COLUMN content BLOB;
ALTER TABLE archive ADD COLUMN salt BLOB;

-- The public state of an item whose current revision was redacted.
ALTER TABLE items ADD COLUMN pub_redacted INTEGER;
ALTER TABLE items ADD COLUMN pub_redact_reason TEXT;
