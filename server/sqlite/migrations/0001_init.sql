-- Initial schema: staff, catalogue, items, the archive, checkpoints, the
-- working-day calendar and the audit log. Times are RFC 3339 text in UTC with
-- nine fractional digits (fixed width, so text order is time order).

CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE,
	role          TEXT NOT NULL,
	departments   TEXT,             -- JSON array, NULL when nil
	disabled      INTEGER NOT NULL DEFAULT 0,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf_token TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	remote_ip  TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE api_tokens (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name       TEXT NOT NULL DEFAULT '',
	hash       TEXT NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	last_used  TEXT
) STRICT;
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);

CREATE TABLE departments (
	key     TEXT PRIMARY KEY,
	name_zh TEXT NOT NULL,
	name_en TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE halls (
	id                  TEXT PRIMARY KEY,
	name                TEXT NOT NULL,
	tz                  TEXT NOT NULL,
	default_playlist_id TEXT NOT NULL DEFAULT '',
	created_at          TEXT NOT NULL
) STRICT;

CREATE TABLE categories (
	key       TEXT PRIMARY KEY,
	name_zh   TEXT NOT NULL,
	name_en   TEXT NOT NULL DEFAULT '',
	cadence   TEXT NOT NULL,
	immediate INTEGER NOT NULL DEFAULT 0,
	sort      INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE matters (
	id         TEXT PRIMARY KEY,
	title      TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

-- items holds each item's working copy and, in the pub_ columns, the state of
-- its latest published revision (all NULL before the first publish).
CREATE TABLE items (
	id           TEXT PRIMARY KEY,
	category     TEXT NOT NULL,
	department   TEXT NOT NULL,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL DEFAULT '',
	body         TEXT NOT NULL DEFAULT '',
	stage        TEXT NOT NULL DEFAULT '',
	matter_id    TEXT NOT NULL DEFAULT '',
	cadence      TEXT NOT NULL DEFAULT '',
	valid_from   TEXT,
	valid_until  TEXT,
	finance      TEXT,             -- JSON, NULL when nil
	assets       TEXT,             -- JSON array, NULL when nil
	status       TEXT NOT NULL,
	version      INTEGER NOT NULL,
	created_by   TEXT NOT NULL DEFAULT '',
	created_at   TEXT NOT NULL,
	updated_by   TEXT NOT NULL DEFAULT '',
	updated_at   TEXT NOT NULL,
	submitted_by TEXT NOT NULL DEFAULT '',
	approved_by  TEXT NOT NULL DEFAULT '',

	pub_revision        INTEGER,   -- NULL: never published
	pub_archive_index   INTEGER,
	pub_category        TEXT,
	pub_department      TEXT,
	pub_title           TEXT,
	pub_summary         TEXT,
	pub_stage           TEXT,
	pub_matter_id       TEXT,
	pub_cadence         TEXT,
	pub_search_text     TEXT,
	pub_has_finance     INTEGER,
	pub_published_at    TEXT,
	pub_first_published TEXT,
	pub_valid_from      TEXT,
	pub_valid_until     TEXT,
	pub_withdrawn_at    TEXT,
	pub_withdraw_reason TEXT,
	pub_expired_at      TEXT
) STRICT;
CREATE INDEX items_updated ON items (updated_at DESC, id);
CREATE INDEX items_category ON items (category, updated_at DESC);
CREATE INDEX items_department ON items (department, updated_at DESC);
CREATE INDEX items_matter ON items (matter_id) WHERE matter_id <> '';
CREATE INDEX items_status ON items (status, updated_at DESC);
CREATE INDEX items_public ON items (pub_published_at DESC, id) WHERE pub_revision IS NOT NULL;
CREATE INDEX items_public_category ON items (pub_category, pub_published_at DESC) WHERE pub_revision IS NOT NULL;

-- archive is the transparency log: leaf idx is its position in the Merkle tree.
CREATE TABLE archive (
	idx      INTEGER PRIMARY KEY,
	kind     TEXT NOT NULL,
	item_id  TEXT NOT NULL,
	revision INTEGER NOT NULL,
	at       TEXT NOT NULL,
	leaf     BLOB NOT NULL
) STRICT;
CREATE INDEX archive_item ON archive (item_id, idx);
CREATE UNIQUE INDEX archive_publish ON archive (item_id, revision) WHERE kind = 'publish';

CREATE TABLE checkpoints (
	size INTEGER PRIMARY KEY,
	root TEXT NOT NULL,
	note TEXT NOT NULL,
	at   TEXT NOT NULL
) STRICT;

CREATE TABLE calendar (
	year INTEGER PRIMARY KEY,
	doc  BLOB NOT NULL
) STRICT;

CREATE TABLE audit (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	target    TEXT NOT NULL DEFAULT '',
	detail    TEXT NOT NULL DEFAULT '',
	remote_ip TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX audit_at ON audit (at DESC, id DESC);
CREATE INDEX audit_actor ON audit (actor, at DESC);
CREATE INDEX audit_target ON audit (target, at DESC);
