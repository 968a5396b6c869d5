-- The incident queue sorts on coalesce(next_due, '9999-12-31 00:00:00+00'),
-- a far date a Go time can hold, where the queue's indexes of migration 025
-- held 'infinity': an index serves only its own expression, so the queue
-- sorted every page. These take the queue's expression.
drop index if exists incidents_queue;
drop index if exists incidents_provider_queue;
create index if not exists incidents_queue_due
    on incidents ((coalesce(next_due, '9999-12-31 00:00:00+00'::timestamptz)), id);
create index if not exists incidents_provider_queue_due
    on incidents (provider_id, (coalesce(next_due, '9999-12-31 00:00:00+00'::timestamptz)), id);
