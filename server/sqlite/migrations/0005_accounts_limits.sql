-- API tokens may expire; counters shared by every request (login failures,
-- requests per address, ratings per kiosk) live in the store, so a second
-- replica on another store backend sees the same limits.
ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

CREATE TABLE counters (
    key        TEXT PRIMARY KEY,
    n          INTEGER NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;
