-- Second-factor secrets are sealed at rest with AES-256-GCM under a key kept
-- outside the database (serve --totp-key-file or ASSURE_TOTP_KEY). A sealed
-- value reads "totp1:<key id>:<base64url nonce and ciphertext>" and is bound
-- to its user. Secrets enrolled before this step stay in plaintext (base32)
-- and keep working until `assure totp rotate-key --new-key-file FILE` seals
-- them; no row is changed here, as the database never sees the key.
--
-- The check states the two forms a stored secret may take, so nothing else
-- (a secret written around the store, half a value) can be stored.

alter table users add constraint users_totp_secret_form check (
    totp_secret is null
    or totp_secret ~ '^totp1:[0-9a-f]{16}:[A-Za-z0-9_-]+$'
    or totp_secret ~ '^[A-Z2-7]+=*$'
);

comment on column users.totp_secret is
    'TOTP secret, sealed: totp1:<key id>:<base64url(nonce || AES-256-GCM ciphertext)>, the user id as associated data; plaintext base32 only for secrets enrolled before migration 012';
