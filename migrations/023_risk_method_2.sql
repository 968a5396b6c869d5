-- Risk method 2. A calibration is the data the method reads for one
-- framework version (profile table, credit factors, weights, key controls,
-- impact reduction, maturity); a published version never changes.
--
-- It runs again unchanged over itself (the evidence migration test makes it
-- for today's code).
create table if not exists calibrations (
    pk             bigint      generated always as identity primary key,
    id             text        not null,
    version        text        not null,
    framework      bigint      not null references frameworks (pk),
    title          text        not null,
    content        jsonb       not null,
    content_sha256 text        not null,
    published_at   timestamptz not null default now(),
    unique (id, version)
);

create index if not exists calibrations_framework on calibrations (framework, pk desc);

create or replace trigger calibrations_immutable before update or delete on calibrations
    for each row execute function refuse_change();
create or replace trigger calibrations_untruncatable before truncate on calibrations
    for each statement execute function refuse_change();

-- The supervisor's assurance grade of an answer, given with its verdict.
alter table responses add column if not exists assurance text
    check (assurance in ('self_attested', 'documented', 'tested', 'verified'));

-- The inherent-risk profile of a provider in one campaign: the figures the
-- provider states, and the supervisor's confirmation or correction of them.
create table if not exists risk_profiles (
    assessment_id     uuid        not null references assessments (id),
    source            text        not null check (source in ('stated', 'confirmed')),
    customers         bigint      check (customers >= 0),
    active_accounts   bigint      check (active_accounts >= 0),
    transactions      bigint      check (transactions >= 0),
    transaction_value bigint      check (transaction_value >= 0),
    agents            bigint      check (agents >= 0),
    third_parties     bigint      check (third_parties >= 0),
    interconnections  bigint      check (interconnections >= 0),
    market_share      numeric(5, 2) check (market_share between 0 and 100),
    note              text        not null default '' check (length(note) <= 4000),
    set_by            uuid        references users (id),
    set_at            timestamptz not null default now(),
    version           integer     not null default 1,
    primary key (assessment_id, source)
);

-- Stored scores count credit over weight, so a fraction is credit / weight
-- whatever the method: method 1 counted quarters over four per control, so
-- its rows keep quarters as credit and take four per control as weight.
-- confident is the weight whose credit is backed (method 2 only); method
-- names the method a row was computed with.
do $$
declare t text;
begin
    foreach t in array array['threat_risks', 'compliance_scores', 'assessment_risk'] loop
        if exists (select 1 from information_schema.columns where table_schema = current_schema() and table_name = t and column_name = 'quarters') then
            execute format('alter table %I rename column quarters to credit', t);
        end if;
        execute format('alter table %I alter column credit type bigint, add column if not exists weight bigint, '
            'add column if not exists confident bigint not null default 0, '
            'add column if not exists method text not null default %L', t, '1');
        execute format('update %I set weight = 4 * counted where weight is null', t);
        execute format('alter table %I alter column weight set not null, alter column method drop default', t);
    end loop;
end $$;

alter table threat_risks add column if not exists capped boolean not null default false;
alter table assessment_risk add column if not exists calibration text not null default '';
alter table assessment_risk alter column calibration drop default;
