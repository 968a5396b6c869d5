-- The audit trail is listed by time window. Events are appended in sequence
-- order and, from now on, stamped with a time that never goes back along the
-- sequence (the later of the transaction's time and the head's), so a window
-- of time is a range of sequence numbers: found through the (at, seq) index
-- and then walked on the primary key, instead of walking the whole key
-- backwards and filtering on time.
--
-- Events written before this step, or seeded with past times, may step back.
-- audit_head.monotone_from is the first sequence number from which times no
-- longer go back; older events are found by their time alone.

alter table audit_head add column if not exists at timestamptz;
alter table audit_head add column if not exists monotone_from bigint not null default 1;

comment on column audit_head.at is 'time of the head event; the next event is stamped no earlier';
comment on column audit_head.monotone_from is
    'events with seq >= monotone_from have non-decreasing times along seq';

update audit_head set
    at = (select e.at from audit_events e where e.seq = audit_head.seq),
    monotone_from = coalesce((
        select max(x.seq) + 1
        from (select seq, at < lag(at) over (order by seq) as back from audit_events) x
        where x.back), 1);

create index if not exists audit_events_at_seq on audit_events (at, seq);

-- (at, seq) serves every query audit_events_at served.
drop index if exists audit_events_at;
