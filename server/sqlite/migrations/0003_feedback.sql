-- Feedback residents leave and the cases poor ratings open, both made from
-- events by InsertEvents in the transaction that stores the event. Times are
-- RFC 3339 text in UTC with nine fractional digits, as in 0001. (The
-- engagement report reads events through events_kind_at from 0002.)

-- feedback: id is the event's id; the reply columns are all NULL until
-- staff reply.
CREATE TABLE feedback (
	id           TEXT PRIMARY KEY,
	receipt      TEXT NOT NULL,
	screen_id    TEXT NOT NULL,
	item_id      TEXT NOT NULL DEFAULT '',
	topic        TEXT NOT NULL DEFAULT '',
	text         TEXT NOT NULL DEFAULT '',
	contact      TEXT NOT NULL DEFAULT '',
	at           TEXT NOT NULL,
	status       TEXT NOT NULL,   -- open, replied
	reply_text   TEXT,
	reply_public INTEGER,
	reply_by     TEXT,
	reply_at     TEXT
) STRICT;
CREATE UNIQUE INDEX feedback_receipt ON feedback (receipt);
CREATE INDEX feedback_at ON feedback (at DESC, id DESC);
CREATE INDEX feedback_status ON feedback (status, at DESC, id DESC);
CREATE INDEX feedback_public ON feedback (reply_at DESC, id DESC) WHERE reply_public = 1;

-- cases: id is the poor rating event's id.
CREATE TABLE cases (
	id          TEXT PRIMARY KEY,
	screen_id   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	level       INTEGER NOT NULL,
	aspects     TEXT,             -- JSON as sent, NULL when none
	at          TEXT NOT NULL,
	status      TEXT NOT NULL,    -- open, resolved
	resolved_by TEXT NOT NULL DEFAULT '',
	resolved_at TEXT,
	note        TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX cases_at ON cases (at, id);
CREATE INDEX cases_status ON cases (status, at, id);
