-- Risk method 2. A calibration is the data the method reads for one
-- framework version (profile table, credit factors, weights, key controls,
-- impact reduction, maturity); a published version never changes.
create table calibrations (
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

create index calibrations_framework on calibrations (framework, pk desc);

create trigger calibrations_immutable before update or delete on calibrations
    for each row execute function refuse_change();

-- The supervisor's assurance grade of an answer, given with its verdict.
alter table responses add column assurance text
    check (assurance in ('self_attested', 'documented', 'tested', 'verified'));

-- The inherent-risk profile of a provider in one campaign: the figures the
-- provider states, and the supervisor's confirmation or correction of them.
create table risk_profiles (
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
-- confident is the weight whose credit is backed (method 2 only).
alter table threat_risks rename column quarters to credit;
alter table threat_risks alter column credit type bigint,
    add column weight    bigint,
    add column confident bigint not null default 0,
    add column capped    boolean not null default false,
    add column method    text    not null default '1';
update threat_risks set weight = 4 * counted;
alter table threat_risks alter column weight set not null, alter column method drop default;

alter table compliance_scores rename column quarters to credit;
alter table compliance_scores alter column credit type bigint,
    add column weight    bigint,
    add column confident bigint not null default 0,
    add column method    text   not null default '1';
update compliance_scores set weight = 4 * counted;
alter table compliance_scores alter column weight set not null, alter column method drop default;

alter table assessment_risk rename column quarters to credit;
alter table assessment_risk alter column credit type bigint,
    add column weight      bigint,
    add column confident   bigint not null default 0,
    add column method      text   not null default '1',
    add column calibration text   not null default '';
update assessment_risk set weight = 4 * counted;
alter table assessment_risk alter column weight set not null, alter column method drop default,
    alter column calibration drop default;
