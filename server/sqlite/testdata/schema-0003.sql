-- Rows of a small hall as a build with migrations 0001 to 0003 stored them.
-- TestWriteSchema0003Fixture applies those three migrations to a new file,
-- runs this script and writes schema-0003.db beside it:
--   HALLCAST_WRITE_FIXTURE=1 go test ./server/sqlite -run TestWriteSchema0003Fixture
INSERT INTO users (id, username, role, departments, disabled, password_hash, created_at) VALUES
	('u-admin', 'admin', 'admin', NULL, 0, '$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA', '2026-03-02T08:00:00.000000000Z'),
	('u-wang', 'wangfang', 'editor', '["civil-affairs"]', 0, '$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA', '2026-03-02T08:05:00.000000000Z');
INSERT INTO departments (key, name_zh, name_en) VALUES
	('civil-affairs', '民政办', 'Civil affairs'),
	('service-center', '便民服务中心', 'Service centre');
INSERT INTO halls (id, name, tz, default_playlist_id, created_at) VALUES
	('h-main', '城关街道便民服务中心', 'Asia/Shanghai', 'pl-default', '2026-03-02T08:00:00.000000000Z');
INSERT INTO categories (key, name_zh, name_en, cadence, immediate, sort) VALUES
	('policy', '政策法规', 'Policies', 'as-needed', 1, 1),
	('subsidy', '补贴发放', 'Subsidies', 'monthly', 0, 2);
INSERT INTO items (id, category, department, title, summary, body, status, version, created_by, created_at, updated_by, updated_at) VALUES
	('it-1', 'subsidy', 'civil-affairs', '2026年3月城乡低保金发放名单', '共发放42户', '详见附件。', 'draft', 1, 'u-wang', '2026-03-03T09:00:00.000000000Z', 'u-wang', '2026-03-03T09:00:00.000000000Z'),
	('it-2', 'policy', 'service-center', '居住证申领办法', '所需材料与办理时限', '一、申请条件……', 'draft', 2, 'u-admin', '2026-03-03T10:00:00.000000000Z', 'u-admin', '2026-03-04T10:00:00.000000000Z');
INSERT INTO screens (id, name, kind, hall_id, groups, token_hash, created_at, last_seen, version) VALUES
	('s-led', '一楼LED', 'led', 'h-main', '["lobby"]', 'hash-led', '2026-03-02T09:00:00.000000000Z', '2026-03-05T09:00:00.000000000Z', '1.0'),
	('s-kiosk', '服务台触摸屏', 'kiosk', 'h-main', NULL, 'hash-kiosk', '2026-03-02T09:10:00.000000000Z', NULL, '');
INSERT INTO playlists (id, name, entries, updated_at) VALUES
	('pl-default', '默认轮播', '[{"category":"policy","duration_s":15}]', '2026-03-02T09:00:00.000000000Z');
INSERT INTO schedules (id, playlist_id, target, days, start_clock, end_clock, priority, updated_at) VALUES
	('sc-lobby', 'pl-default', '{"groups":["lobby"],"screens":null,"kinds":null}', '[1,2,3,4,5]', '08:30', '17:30', 10, '2026-03-02T09:00:00.000000000Z');
INSERT INTO events (id, kind, at, screen_id, received_at, item_id, revision, playlist_id, duration_ms, session, subject, level, topic, text, contact) VALUES
	('ev-1', 'impression', '2026-03-05T09:00:00.000000000Z', 's-led', '2026-03-05T09:00:01.000000000Z', 'it-2', 1, 'pl-default', 15000, '', '', 0, '', '', ''),
	('ev-2', 'rating', '2026-03-05T09:30:00.000000000Z', 's-kiosk', '2026-03-05T09:30:01.000000000Z', '', 0, '', 0, 's1', '{"service":"hall"}', 1, '', '', ''),
	('ev-3', 'feedback', '2026-03-05T09:31:00.000000000Z', 's-kiosk', '2026-03-05T09:31:01.000000000Z', '', 0, '', 0, 's1', '', 0, 'efficiency', '排队太久', '13812345678');
INSERT INTO feedback (id, receipt, screen_id, topic, text, contact, at, status) VALUES
	('ev-3', 'FB-0305-0001', 's-kiosk', 'efficiency', '排队太久', '13812345678', '2026-03-05T09:31:00.000000000Z', 'open');
INSERT INTO cases (id, screen_id, subject, level, at, status) VALUES
	('ev-2', 's-kiosk', '{"service":"hall"}', 1, '2026-03-05T09:30:00.000000000Z', 'open');
INSERT INTO audit (at, actor, action, target, detail) VALUES
	('2026-03-03T09:00:00.000000000Z', 'wangfang', 'item.create', 'it-1', '');
