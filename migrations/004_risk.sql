-- Risk: each assessment keeps the provider profile it was opened with, the
-- supervisors' overrides of inherent values, and scores kept current on
-- write, so sector views read rows instead of recomputing responses.

alter table assessments
    add column provider_kind     text,
    add column provider_tier     smallint,
    add column provider_channels text[];

update assessments a set provider_kind = p.kind, provider_tier = p.tier, provider_channels = p.channels
from providers p where p.id = a.provider_id;

alter table assessments
    alter column provider_kind set not null,
    alter column provider_tier set not null,
    alter column provider_channels set not null;

create table risk_overrides (
    provider_id uuid        not null references providers (id),
    framework   bigint      not null,
    threat_id   text        not null,
    likelihood  smallint    check (likelihood between 1 and 5),
    impact      smallint    check (impact between 1 and 5),
    reason      text        not null check (length(reason) between 1 and 2000),
    set_by      uuid        references users (id),
    set_at      timestamptz not null default now(),
    primary key (provider_id, framework, threat_id),
    foreign key (framework, threat_id) references threats (framework, id),
    check (likelihood is not null or impact is not null)
);

-- basis: 'current' is the assessment as it stands; 'filed' is its latest
-- submission (absent before the first).
create table threat_risks (
    assessment_id uuid     not null references assessments (id),
    basis         text     not null check (basis in ('current', 'filed')),
    threat_id     text     not null,
    applicable    boolean  not null,
    l0            smallint not null,
    i0            smallint not null,
    quarters      integer  not null,
    counted       integer  not null,
    l1            smallint not null,
    i1            smallint not null,
    score         smallint not null,
    level         text     not null,
    overridden    boolean  not null,
    primary key (assessment_id, basis, threat_id)
);

create table compliance_scores (
    assessment_id uuid    not null references assessments (id),
    basis         text    not null check (basis in ('current', 'filed')),
    facet         text    not null check (facet in ('overall', 'dimension', 'stage', 'audit_group')),
    key           text    not null,
    quarters      integer not null,
    counted       integer not null,
    primary key (assessment_id, basis, facet, key)
);

-- assessment_risk summarises each basis for rankings, trends and status views.
create table assessment_risk (
    assessment_id uuid    not null references assessments (id),
    basis         text    not null check (basis in ('current', 'filed')),
    source        text    not null,
    submission    integer not null,
    threats       integer not null,
    max_score     integer not null,
    sum_score     integer not null,
    max_inherent  integer not null,
    sum_inherent  integer not null,
    low           integer not null,
    medium        integer not null,
    high          integer not null,
    critical      integer not null,
    quarters      integer not null,
    counted       integer not null,
    -- applicable threats per cell of the 5×5 matrix, cell (l, i) at index (l−1)·5 + i
    residual_cells integer[] not null check (cardinality(residual_cells) = 25),
    inherent_cells integer[] not null check (cardinality(inherent_cells) = 25),
    primary key (assessment_id, basis)
);
