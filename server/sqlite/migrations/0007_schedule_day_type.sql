-- A schedule may play only on working days or only on rest days, as the
-- working-day calendar counts them.
ALTER TABLE schedules ADD COLUMN day_type TEXT NOT NULL DEFAULT '';
