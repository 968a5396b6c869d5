-- An answer a mapping derived from an approved assessment in another
-- framework keeps where it came from until the provider confirms or changes
-- it; a filing cannot be submitted with such answers unconfirmed. It runs
-- again unchanged over its column (the evidence migration test makes it for
-- today's code).
alter table responses add column if not exists derived jsonb;
