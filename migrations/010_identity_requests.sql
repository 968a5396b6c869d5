-- Privileged identity changes (a supervisor, admin or auditor created,
-- re-enabled, moved in or out of such a role, or given a new password or
-- second factor) wait here until a second administrator approves them.
-- A creation has no user row until it is approved: an account that does not
-- exist cannot sign in by any means. Its email stays reserved by the pending
-- request (the unique index below and a check when users are created).
create table identity_requests (
    id                 uuid        primary key default gen_random_uuid(),
    kind               text        not null check (kind in ('user.create', 'user.enable', 'user.change',
                                                            'user.reset_password', 'user.reset_second_factor')),
    target_user_id     uuid        references users (id),
    target_email       text        not null check (target_email = lower(target_email)),
    payload            jsonb       not null default '{}',
    requested_by       uuid        references users (id), -- null when the system (the command line) asked
    requested_by_email text        not null,
    requested_at       timestamptz not null default now(),
    expires_at         timestamptz not null,
    state              text        not null default 'pending'
                                   check (state in ('pending', 'approved', 'rejected', 'cancelled', 'expired')),
    decided_by         uuid        references users (id),
    decided_by_email   text        not null default '',
    decided_at         timestamptz,
    reason             text        not null default '' check (length(reason) <= 1000),
    check ((kind = 'user.create') = (target_user_id is null)),
    check ((state = 'pending') = (decided_at is null)),
    check (expires_at > requested_at)
);

-- At most one pending request per target and kind (a creation's target is its email).
create unique index identity_requests_pending on identity_requests (kind, target_email) where state = 'pending';
create index identity_requests_list on identity_requests (requested_at desc, id desc);
create index identity_requests_due on identity_requests (expires_at) where state = 'pending';
