-- Inspections of providers: on-site inspections, which count in the
-- supervisory ranking, and off-site reviews, kept on record only. A record
-- never changes; a mistake is put right by a new record that names the one
-- it replaces (of the same provider, and at most once), and the replaced
-- record no longer counts.
create table inspections (
    id             uuid        primary key default gen_random_uuid(),
    provider_id    uuid        not null references providers (id),
    held_on        date        not null,
    kind           text        not null check (kind in ('on_site', 'off_site')),
    lead_inspector text        not null check (length(lead_inspector) between 1 and 200),
    summary        text        not null check (length(summary) between 1 and 4000),
    replaces       uuid        unique,
    recorded_by    uuid        references users (id),
    recorded_at    timestamptz not null default now(),
    unique (provider_id, id),
    foreign key (provider_id, replaces) references inspections (provider_id, id)
);

-- A provider's inspections, newest first; its latest on-site one is read
-- through the same index.
create index inspections_provider on inspections (provider_id, held_on desc, recorded_at desc, id desc);

create trigger inspections_immutable before update or delete on inspections
    for each row execute function refuse_change();
create trigger inspections_no_truncate before truncate on inspections
    for each statement execute function refuse_change();

-- The ranking keeps two more of its drivers: the overdue findings' weight
-- (by severity and age) and the latest on-site inspection (null: never).
-- A row's stale_from now also comes the day after it was computed while an
-- overdue finding still ages, and on the next anniversary of the last
-- on-site inspection while the years since it still count.
alter table priorities
    add column findings_weight numeric(4, 1) not null default 0,
    add column last_on_site    date;

-- Every row was computed by the former formula: each is stale at once, and
-- the first read of its campaign (or housekeeping) computes it again.
update priorities set stale_from = '-infinity';
