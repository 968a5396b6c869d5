-- Migration 025 belongs to incident reports and statistics, built on their
-- own branch. This file only keeps the numbering whole on the notifications
-- branch (the migrator refuses a gap); it changes nothing, and on merge the
-- incidents branch's 025 replaces it.
select 1;
