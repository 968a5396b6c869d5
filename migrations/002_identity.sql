-- Providers, users, credentials, login throttling, settings and the
-- hash-chained audit trail.

create table providers (
    id             uuid        primary key default gen_random_uuid(),
    legal_name     text        not null check (length(legal_name) between 1 and 300),
    short_name     text        not null check (length(short_name) between 1 and 100),
    licence_number text        not null check (length(licence_number) between 1 and 100),
    kind           text        not null check (kind in ('bank', 'mobile_money_operator', 'psp', 'emi', 'mfi',
                                                         'fintech', 'agent_network', 'payment_switch')),
    tier           smallint    not null check (tier between 1 and 3),
    channels       text[]      not null default '{}',
    status         text        not null default 'active' check (status in ('active', 'suspended', 'exited')),
    contacts       jsonb       not null default '[]',
    created_at     timestamptz not null default now(),
    updated_at     timestamptz not null default now(),
    version        integer     not null default 1
);

create unique index providers_licence on providers (lower(licence_number));

create table users (
    id                  uuid        primary key default gen_random_uuid(),
    email               text        not null check (email = lower(email) and length(email) between 3 and 254),
    name                text        not null check (length(name) between 1 and 200),
    role                text        not null check (role in ('admin', 'supervisor', 'provider_admin',
                                                             'provider_editor', 'auditor')),
    provider_id         uuid        references providers (id),
    status              text        not null default 'active' check (status in ('active', 'disabled')),
    password_hash       text        not null,
    password_changed_at timestamptz not null default now(),
    totp_secret         text,
    totp_confirmed_at   timestamptz,
    totp_last_step      bigint      not null default 0,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    version             integer     not null default 1,
    -- Provider roles belong to exactly one provider; the others to none.
    check ((role in ('provider_admin', 'provider_editor')) = (provider_id is not null))
);

create unique index users_email on users (email);
create index users_provider on users (provider_id) where provider_id is not null;

-- tokens holds browser sessions and personal API tokens. Only the SHA-256 of
-- a token is kept; the token itself is shown once.
create table tokens (
    id           uuid        primary key default gen_random_uuid(),
    user_id      uuid        not null references users (id),
    kind         text        not null check (kind in ('session', 'api')),
    name         text        not null default '',
    token_hash   bytea       not null unique,
    created_at   timestamptz not null default now(),
    last_used_at timestamptz not null default now(),
    expires_at   timestamptz not null,
    revoked_at   timestamptz,
    revoked_why  text
);

create index tokens_user on tokens (user_id) where revoked_at is null;

-- login_throttle counts recent failed logins per account and per address.
-- Keys exist for unknown emails too, so the answer never tells whether an
-- account exists.
create table login_throttle (
    key          text        primary key,
    failures     integer     not null,
    window_start timestamptz not null,
    locked_until timestamptz
);

-- settings holds the regulator's configuration as one JSON document.
create table settings (
    id         boolean     primary key default true check (id),
    value      jsonb       not null,
    version    integer     not null default 1,
    updated_at timestamptz not null default now()
);

insert into settings (value) values ('{"totp_required_roles": [], "four_eyes": true}');

-- audit_events is append-only and hash-chained: each event stores the hash of
-- the one before and its own hash over a canonical encoding. Appends take the
-- row lock on audit_head, so concurrent writers extend one chain.
create table audit_events (
    seq         bigint      primary key,
    at          timestamptz not null,
    actor_id    uuid,
    actor_email text        not null default '',
    actor_role  text        not null default '',
    action      text        not null,
    object_type text        not null,
    object_id   text        not null default '',
    provider_id uuid,
    request_id  text        not null default '',
    address     text        not null default '',
    summary     jsonb       not null default '{}',
    prev_hash   text        not null,
    hash        text        not null
);

create index audit_events_at on audit_events (at);
create index audit_events_actor on audit_events (actor_id, seq);
create index audit_events_object on audit_events (object_type, object_id, seq);
create index audit_events_provider on audit_events (provider_id, seq) where provider_id is not null;
create index audit_events_action on audit_events (action, seq);

create table audit_head (
    id   boolean primary key default true check (id),
    seq  bigint  not null,
    hash text    not null
);

insert into audit_head (seq, hash) values (0, repeat('0', 64));

create trigger audit_events_immutable before update or delete on audit_events
    for each row execute function refuse_change();
create trigger audit_events_no_truncate before truncate on audit_events
    for each statement execute function refuse_change();
