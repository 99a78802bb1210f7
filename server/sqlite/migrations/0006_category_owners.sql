-- Categories fall under an open-government heading (党务, 政务, 财务) and
-- name the departments that owe their regular disclosures.
ALTER TABLE categories ADD COLUMN grp TEXT NOT NULL DEFAULT '';
ALTER TABLE categories ADD COLUMN departments TEXT;
