-- Passkeys (WebAuthn credentials) and the ceremonies that register them or
-- sign in with them.

-- passkeys holds each user's registered credentials. The credential id is
-- unique across all users: an authenticator's credential belongs to one
-- account. The user handle given to authenticators is the user's id.
create table passkeys (
    id                 uuid        primary key default gen_random_uuid(),
    user_id            uuid        not null references users (id),
    credential_id      bytea       not null unique check (length(credential_id) between 1 and 1023),
    public_key         bytea       not null,
    attestation_type   text        not null default '',
    attestation_format text        not null default '',
    aaguid             bytea,
    sign_count         bigint      not null default 0 check (sign_count between 0 and 4294967295),
    transports         text[]      not null default '{}',
    attachment         text        not null default '',
    user_present       boolean     not null default false,
    user_verified      boolean     not null default false,
    backup_eligible    boolean     not null default false,
    backup_state       boolean     not null default false,
    -- Set when an assertion came with a signature counter that did not
    -- advance: the key may have been copied. Such a passkey signs no one in.
    clone_warning      boolean     not null default false,
    name               text        not null check (length(name) between 1 and 100),
    created_at         timestamptz not null default now(),
    last_used_at       timestamptz
);

create index passkeys_user on passkeys (user_id);

-- webauthn_ceremonies holds the challenge of a registration or sign-in
-- between its two requests. The browser holds a random token in an HttpOnly
-- cookie; only its SHA-256 is kept. A ceremony is deleted as it is used, so
-- each challenge answers once, and it expires within minutes.
create table webauthn_ceremonies (
    token_hash bytea       primary key,
    kind       text        not null check (kind in ('register', 'sign_in', 'second_factor')),
    -- The user registering, or who gave the right password before the
    -- second factor; null for a sign-in with a passkey alone.
    user_id    uuid        references users (id),
    name       text        not null default '',
    session    jsonb       not null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    check ((kind = 'sign_in') = (user_id is null))
);

create index webauthn_ceremonies_expiry on webauthn_ceremonies (expires_at);
