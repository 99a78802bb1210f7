-- Events are written far more often than they are read: keep only the
-- indexes the reports use. Engagement and the scorecard read events by kind
-- and time (events_kind_at); the per-item, per-screen and by-arrival indexes
-- served no query and cost every insert.
DROP INDEX IF EXISTS events_item_at;
DROP INDEX IF EXISTS events_screen_at;
DROP INDEX IF EXISTS events_received;
