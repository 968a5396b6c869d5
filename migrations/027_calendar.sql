-- The obligations calendar: campaign series, which create and open a
-- campaign on set dates, and the secret addresses of each user's calendar
-- feed.

-- A campaign series recurs every every_months months from first_opens_on
-- (occurrence 0), each occurrence a campaign over the same framework and
-- scope, due due_after_days after it opens. The daily job creates an
-- occurrence's draft lead_days before it opens and opens it on its day.
-- framework_version '' takes the latest published version at each creation.
-- last_error says why the job could not make or open the latest campaign,
-- until it next can.
create table campaign_series (
    id                uuid        primary key default gen_random_uuid(),
    name              text        not null check (length(name) between 1 and 180),
    framework_id      text        not null,
    framework_version text        not null default '',
    level             text        not null default '',
    provider_ids      uuid[]      not null default '{}',
    kinds             text[]      not null default '{}',
    tiers             smallint[]  not null default '{}',
    instructions      text        not null default '',
    every_months      smallint    not null check (every_months in (1, 3, 6, 12)),
    first_opens_on    date        not null,
    due_after_days    integer     not null check (due_after_days between 1 and 366),
    lead_days         integer     not null check (lead_days between 0 and 90),
    status            text        not null default 'active' check (status in ('active', 'paused')),
    last_error        text        not null default '', -- why the latest campaign could not be made or opened
    created_by        uuid        references users (id),
    created_at        timestamptz not null default now(),
    updated_at        timestamptz not null default now(),
    version           integer     not null default 1
);

create index campaign_series_created on campaign_series (created_at, id);

-- A campaign a series made names it and its occurrence; the unique pair is
-- what makes each occurrence exist once, however many instances run the job.
alter table campaigns
    add column series_id  uuid references campaign_series (id),
    add column occurrence integer check (occurrence >= 0),
    add constraint campaigns_series_occurrence unique (series_id, occurrence),
    add constraint campaigns_series_both check ((series_id is null) = (occurrence is null));

-- calendar_feeds holds the secret of each user's iCalendar feed as a
-- SHA-256, never the secret itself. A user has at most one live feed; making
-- a new one revokes the old, and a revoked feed answers nothing.
create table calendar_feeds (
    id           uuid        primary key default gen_random_uuid(),
    user_id      uuid        not null references users (id),
    token_hash   bytea       not null unique,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at   timestamptz,
    revoked_why  text
);

create unique index calendar_feeds_live on calendar_feeds (user_id) where revoked_at is null;
