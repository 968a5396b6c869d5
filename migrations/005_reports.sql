-- Reports generated in the background: the request, its progress and its
-- result, kept until it expires.

create table report_jobs (
    id           uuid        primary key default gen_random_uuid(),
    kind         text        not null check (kind in ('sector')),
    format       text        not null check (format in ('pdf', 'xlsx')),
    params       jsonb       not null,
    requested_by uuid        references users (id),
    status       text        not null default 'queued' check (status in ('queued', 'running', 'done', 'failed', 'expired')),
    done         integer     not null default 0,
    total        integer     not null default 0,
    error        text        not null default '',
    filename     text        not null default '',
    media_type   text        not null default '',
    size         bigint      not null default 0,
    created_at   timestamptz not null default now(),
    started_at   timestamptz,
    finished_at  timestamptz,
    expires_at   timestamptz
);

create index report_jobs_requester on report_jobs (requested_by, created_at);
create index report_jobs_expiry on report_jobs (expires_at) where status = 'done';

create table report_files (
    job_id uuid    not null references report_jobs (id) on delete cascade,
    seq    integer not null,
    data   bytea   not null,
    primary key (job_id, seq)
);
