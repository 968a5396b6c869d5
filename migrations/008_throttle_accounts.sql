-- Sign-in throttling moves from one lock per account to one per account and
-- address. Each counter row names the account it is about (null for a
-- counter of an address alone), so that an administrator's unlock clears
-- every counter of the account, from whatever address, in one statement.
alter table login_throttle add column account text;

create index login_throttle_account on login_throttle (account) where account is not null;

-- The account-wide counters kept so far belong to their accounts too.
update login_throttle set account = substr(key, length('account:') + 1) where key like 'account:%';
-- An account-wide counter no longer locks (only its pairs with an address do).
update login_throttle set locked_until = null where key like 'account:%';
