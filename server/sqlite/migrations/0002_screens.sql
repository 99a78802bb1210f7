-- Screens and what they play: screens, pairings, playlists, schedules,
-- interrupts and media records; and the events screens send. Times are RFC
-- 3339 text in UTC with nine fractional digits, as in 0001.

CREATE TABLE screens (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	hall_id    TEXT NOT NULL REFERENCES halls (id),
	groups     TEXT,             -- JSON array, NULL when nil
	token_hash TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	revoked_at TEXT,
	last_seen  TEXT,
	version    TEXT NOT NULL DEFAULT '',
	showing    TEXT              -- JSON, NULL when nil
) STRICT;
CREATE INDEX screens_name ON screens (name, id) WHERE revoked_at IS NULL;
CREATE INDEX screens_hall ON screens (hall_id);

-- A code is unique among unexpired pairings only, which the store checks
-- when it creates one; expired rows linger until DeleteExpiredPairings.
CREATE TABLE pairings (
	id          TEXT PRIMARY KEY,
	code        TEXT NOT NULL,
	secret_hash TEXT NOT NULL,
	expires_at  TEXT NOT NULL,
	screen_id   TEXT REFERENCES screens (id), -- NULL until claimed
	token       TEXT NOT NULL DEFAULT ''      -- held from the claim until collected
) STRICT;
CREATE INDEX pairings_code ON pairings (code, expires_at);
CREATE INDEX pairings_expires ON pairings (expires_at);

CREATE TABLE playlists (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	entries    TEXT,             -- JSON array, NULL when nil
	updated_at TEXT NOT NULL
) STRICT;

-- No foreign key to playlists: the API checks the playlist exists and keeps
-- a playlist in use from being deleted.
CREATE TABLE schedules (
	id          TEXT PRIMARY KEY,
	playlist_id TEXT NOT NULL,
	target      TEXT NOT NULL,    -- JSON object; each list null when nil
	days        TEXT,             -- JSON array, NULL when nil
	start_clock TEXT NOT NULL DEFAULT '', -- "HH:MM"
	end_clock   TEXT NOT NULL DEFAULT '', -- "HH:MM", "24:00" allowed
	from_date   TEXT NOT NULL DEFAULT '', -- "YYYY-MM-DD"
	until_date  TEXT NOT NULL DEFAULT '', -- "YYYY-MM-DD"
	priority    INTEGER NOT NULL DEFAULT 0,
	updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX schedules_playlist ON schedules (playlist_id);

CREATE TABLE interrupts (
	id         TEXT PRIMARY KEY,
	target     TEXT NOT NULL,    -- JSON object; each list null when nil
	level      TEXT NOT NULL,
	text       TEXT NOT NULL DEFAULT '',
	item_id    TEXT NOT NULL DEFAULT '',
	until      TEXT NOT NULL,
	created_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	cleared_at TEXT
) STRICT;
CREATE INDEX interrupts_created ON interrupts (created_at DESC, id DESC);
CREATE INDEX interrupts_active ON interrupts (until) WHERE cleared_at IS NULL;

CREATE TABLE media (
	sha256     TEXT PRIMARY KEY,
	type       TEXT NOT NULL,
	mime       TEXT NOT NULL,
	size       INTEGER NOT NULL,
	name       TEXT NOT NULL DEFAULT '',
	created_by TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL
) STRICT;

-- events holds what screens send, once per client-made id. The indexes serve
-- the reports (by kind over a period, per item, per screen) and listing by
-- the time received.
CREATE TABLE events (
	id          TEXT PRIMARY KEY,
	kind        TEXT NOT NULL,
	at          TEXT NOT NULL,
	screen_id   TEXT NOT NULL,
	received_at TEXT NOT NULL,
	item_id     TEXT NOT NULL DEFAULT '',
	revision    INTEGER NOT NULL DEFAULT 0,
	media_url   TEXT NOT NULL DEFAULT '',
	playlist_id TEXT NOT NULL DEFAULT '',
	duration_ms INTEGER NOT NULL DEFAULT 0,
	dwell_ms    INTEGER NOT NULL DEFAULT 0,
	session     TEXT NOT NULL DEFAULT '',
	subject     TEXT NOT NULL DEFAULT '', -- rating
	level       INTEGER NOT NULL DEFAULT 0,
	topic       TEXT NOT NULL DEFAULT '', -- feedback
	text        TEXT NOT NULL DEFAULT '',
	contact     TEXT NOT NULL DEFAULT '',
	data        TEXT,             -- JSON as sent, NULL when none
	misuse      INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX events_kind_at ON events (kind, at);
CREATE INDEX events_item_at ON events (item_id, at);
CREATE INDEX events_screen_at ON events (screen_id, at);
CREATE INDEX events_received ON events (received_at, id);
