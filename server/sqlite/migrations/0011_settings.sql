-- A deployment's settings, one JSON document per key (scorecard rules…).
CREATE TABLE settings (
	key TEXT PRIMARY KEY,
	doc BLOB NOT NULL
) STRICT;
