-- Security incidents reported by providers: an initial report, intermediate
-- updates and a final report, each phase due by a deadline fixed when the
-- incident is reported (domain.IncidentDeadlines). A supervisor may request
-- more information, which the provider answers with an update, and closes
-- the incident. Reports and requests never change once filed; the incident
-- row holds the latest report's facts and where each clock stands.
create table incidents (
    id                    uuid        primary key default gen_random_uuid(),
    provider_id           uuid        not null references providers (id),
    title                 text        not null check (length(title) between 1 and 200),
    detected_at           timestamptz not null,
    classified_at         timestamptz not null check (classified_at >= detected_at),
    status                text        not null check (status in ('open', 'information_requested', 'final_filed', 'closed')),
    -- The latest report's facts (domain.IncidentFacts) and the criteria
    -- their figures meet; major when there is any.
    facts                 jsonb       not null,
    major_by              text[]      not null default '{}',
    channels              text[]      not null default '{}',
    -- The deadlines, and when each phase was filed (null: not yet).
    initial_due           timestamptz not null,
    intermediate_due      timestamptz not null,
    final_due             timestamptz not null,
    initial_filed_at      timestamptz not null,
    intermediate_filed_at timestamptz,
    final_filed_at        timestamptz,
    -- The earliest deadline of a phase not filed while the incident is not
    -- closed (domain.Incident.NextDue), null when no clock runs: what the
    -- queue sorts by (overdue first) and warnings look for.
    next_due              timestamptz,
    -- The X.1150 version whose threats the latest report names.
    framework             bigint      not null references frameworks (pk),
    reported_by           uuid        references users (id),
    reported_at           timestamptz not null,
    updated_at            timestamptz not null,
    closed_at             timestamptz,
    closed_by             uuid        references users (id),
    closing_comment       text        not null default '',
    version               integer     not null default 1,
    unique (provider_id, id)
);

-- The queue, every provider's or one's: the clock that runs out first
-- first, then the incidents with no clock running.
create index incidents_queue on incidents ((coalesce(next_due, 'infinity')), id);
create index incidents_provider_queue on incidents (provider_id, (coalesce(next_due, 'infinity')), id);
-- Sector statistics and the calendar read incidents by when they were
-- detected and by their deadlines.
create index incidents_detected on incidents (detected_at);
create index incidents_next_due on incidents (next_due) where next_due is not null;

-- The X.1150 threats an incident involves, as its latest report names them.
create table incident_threats (
    incident_id uuid   not null references incidents (id),
    framework   bigint not null,
    threat_id   text   not null,
    primary key (incident_id, threat_id),
    foreign key (framework, threat_id) references threats (framework, id)
);

create index incident_threats_threat on incident_threats (threat_id);

create table incident_requests (
    id           uuid        primary key default gen_random_uuid(),
    incident_id  uuid        not null,
    provider_id  uuid        not null,
    comment      text        not null check (length(comment) between 1 and 4000),
    requested_by uuid        references users (id),
    requested_at timestamptz not null,
    foreign key (provider_id, incident_id) references incidents (provider_id, id)
);

create index incident_requests_incident on incident_requests (incident_id, requested_at);

create table incident_reports (
    id          uuid        primary key default gen_random_uuid(),
    incident_id uuid        not null,
    provider_id uuid        not null,
    seq         integer     not null check (seq >= 1),
    phase       text        not null check (phase in ('initial', 'intermediate', 'final')),
    facts       jsonb       not null,
    major_by    text[]      not null default '{}',
    answers     uuid        unique references incident_requests (id),
    filed_by    uuid        references users (id),
    filed_at    timestamptz not null,
    unique (incident_id, seq),
    foreign key (provider_id, incident_id) references incidents (provider_id, id)
);

do $$
declare
    t text;
begin
    foreach t in array array['incident_reports', 'incident_requests']
    loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_change()',
                       t || '_immutable', t);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_change()',
                       t || '_no_truncate', t);
    end loop;
end
$$;
