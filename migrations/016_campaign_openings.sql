-- campaign_openings tells how the opening of a campaign goes. Opening is one
-- long transaction run by a background job; its progress is written here in
-- short transactions of their own, so any instance reads it while the
-- opening runs. One row per campaign: an opening asked for again after it
-- failed reuses the row.
create table campaign_openings (
    campaign_id  uuid        primary key references campaigns (id),
    status       text        not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
    phase        text        not null default '',
    done         bigint      not null default 0,
    total        bigint      not null default 0,
    error        text        not null default '',
    requested_by uuid        references users (id),
    attempt      integer     not null default 0,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    started_at   timestamptz,
    finished_at  timestamptz
);
