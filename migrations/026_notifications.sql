-- Notifications: what Assure tells people, in the notification centre and
-- by e-mail, and the single-use links that invite a user or reset a
-- password.
--
-- A change that causes a notice writes, in its own transaction, one row per
-- recipient here (notifications) and one per e-mail (mail_outbox): the
-- e-mail exists exactly when the change does. A background worker sends the
-- outbox and marks each message sent once the SMTP server has accepted it.

-- notifications is each user's notification centre. params holds the words
-- the message shows (names, dates), never a secret.
create table notifications (
    id          uuid        primary key default gen_random_uuid(),
    user_id     uuid        not null references users (id),
    kind        text        not null check (length(kind) between 1 and 100),
    provider_id uuid        references providers (id),
    object_type text        not null default '',
    object_id   text        not null default '',
    params      jsonb       not null default '{}',
    created_at  timestamptz not null default now(),
    read_at     timestamptz
);

create index notifications_user on notifications (user_id, created_at desc, id desc);
create index notifications_unread on notifications (user_id) where read_at is null;

-- notice_keys makes a notice with a key once-only: a reminder for an
-- assessment, its stage and its due date is written the first time and
-- never again, however often the daily job runs.
create table notice_keys (
    key        text        primary key check (length(key) between 1 and 300),
    created_at timestamptz not null default now()
);

-- notification_preferences overrides, per user and kind, the default
-- (both on); notices that cannot be turned off ignore it.
create table notification_preferences (
    user_id uuid    not null references users (id),
    kind    text    not null check (length(kind) between 1 and 100),
    in_app  boolean not null,
    email   boolean not null,
    primary key (user_id, kind)
);

-- link_tokens are the single-use links of invitations and password resets.
-- Only the SHA-256 of a token is kept, and not even that until the e-mail
-- that carries it goes out: the worker makes the token as it sends, so no
-- usable token is ever at rest. A token is used once, and dies at its
-- expiry, when a newer one of the same purpose is made, or when the user's
-- password changes.
create table link_tokens (
    id         uuid        primary key default gen_random_uuid(),
    user_id    uuid        not null references users (id),
    purpose    text        not null check (purpose in ('invitation', 'password_reset')),
    token_hash bytea       unique,
    created_by uuid        references users (id),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at    timestamptz,
    revoked_at timestamptz,
    check (expires_at > created_at)
);

create index link_tokens_live on link_tokens (user_id, purpose) where used_at is null and revoked_at is null;

-- mail_outbox holds every e-mail, written with the change that causes it.
-- A worker claims due rows (state sending, claimed_until a lease, claim its
-- own mark) in a short transaction, sends them, and marks each sent after
-- the SMTP server accepted it; a claim whose lease ran out (its worker died)
-- is taken again. A failure waits due_at (growing back-off) before the next
-- attempt, up to a limit, then the message is failed. The Message-ID is
-- fixed at the first claim and kept for every attempt.
create table mail_outbox (
    id            uuid        primary key default gen_random_uuid(),
    user_id       uuid        not null references users (id),
    address       text        not null,
    kind          text        not null check (length(kind) between 1 and 100),
    provider_id   uuid        references providers (id),
    object_type   text        not null default '',
    object_id     text        not null default '',
    params        jsonb       not null default '{}',
    link_token    uuid        references link_tokens (id),
    state         text        not null default 'queued'
                              check (state in ('queued', 'sending', 'sent', 'logged', 'failed', 'dropped')),
    attempts      integer     not null default 0,
    due_at        timestamptz,
    claimed_until timestamptz,
    claim         uuid,
    message_id    text        unique,
    sent_at       timestamptz,
    error         text        not null default '',
    created_at    timestamptz not null default now(),
    check ((state = 'sending') = (claim is not null and claimed_until is not null))
);

create index mail_outbox_queued on mail_outbox (due_at nulls first, created_at) where state = 'queued';
create index mail_outbox_sending on mail_outbox (claimed_until) where state = 'sending';
create index mail_outbox_user on mail_outbox (user_id, created_at desc);
