-- The audit trail is filtered by actor email as often as by actor id
-- (system actors such as the command line have only an email).
create index audit_events_actor_email on audit_events (actor_email, seq);
