-- priorities keeps each assessment's place in its campaign's supervisory
-- ranking, with the drivers of it, so a page of the ranking reads a page of
-- rows instead of ranking the whole sector. Every write that changes an input
-- (scores, status, findings, the campaign's due date, the provider's name)
-- recomputes the rows it touches in its own transaction.
--
-- Overdue-ness changes when a date passes with no write: computed_for is the
-- day a row was computed for and stale_from the first day its overdue state
-- may differ (a finding or the filing falls due); a read refreshes a
-- campaign's rows whose stale_from has come before paging. Null: no date
-- can change the row.
create table priorities (
    assessment_id    uuid     primary key references assessments (id),
    campaign_id      uuid     not null references campaigns (id),
    provider_id      uuid     not null references providers (id),
    -- The ranking's key, read ascending: filed providers first, then higher
    -- priority (rank_score is minus the priority in tenths), lower tier,
    -- provider name (byte order), id.
    unfiled          boolean  not null,
    rank_score       integer  not null,
    tier             smallint not null,
    provider_name    text     collate "C" not null,
    provider_kind    text     not null,
    status           text     not null,
    threats          integer  not null,
    max_score        integer  not null,
    sum_score        integer  not null,
    overdue_findings integer  not null,
    filing_overdue   boolean  not null,
    top_threats      jsonb    not null,
    worst_dimensions jsonb    not null,
    computed_for     date     not null,
    stale_from       date
);

create index priorities_rank on priorities (campaign_id, unfiled, rank_score, tier, provider_name, assessment_id);
create index priorities_stale on priorities (campaign_id, stale_from) where stale_from is not null;
create index priorities_provider on priorities (provider_id);

-- Existing assessments get a row that is stale at once: the first read of
-- each campaign computes them (the formula lives in Go, not here).
insert into priorities (assessment_id, campaign_id, provider_id, unfiled, rank_score, tier, provider_name,
    provider_kind, status, threats, max_score, sum_score, overdue_findings, filing_overdue, top_threats,
    worst_dimensions, computed_for, stale_from)
select a.id, a.campaign_id, a.provider_id, true, 0, a.provider_tier, p.short_name, a.provider_kind, a.status,
    0, 0, 0, 0, false, '[]', '[]', '-infinity', '-infinity'
from assessments a join providers p on p.id = a.provider_id
where exists (select 1 from assessment_risk r where r.assessment_id = a.id and r.basis = 'current');
