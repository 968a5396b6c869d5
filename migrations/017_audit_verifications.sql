-- audit_verifications keeps each verification of the audit chain run in the
-- background: its progress (events checked of the head at the start), kept
-- outside the walk so a page can poll it, and its result.
create table audit_verifications (
    id           uuid        primary key default gen_random_uuid(),
    requested_by uuid        references users (id),
    status       text        not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
    head_seq     bigint      not null default 0,
    head_hash    text        not null default '',
    checked      bigint      not null default 0,
    ok           boolean,
    first_bad    bigint,
    checkpoints  jsonb       not null default '[]',
    error        text        not null default '',
    created_at   timestamptz not null default now(),
    started_at   timestamptz,
    finished_at  timestamptz
);

create index audit_verifications_created on audit_verifications (created_at);
create index audit_verifications_finished on audit_verifications (finished_at) where status = 'done';
