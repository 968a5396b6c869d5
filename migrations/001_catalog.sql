-- Control catalogs. A framework version is written once by the loader and
-- never changed; every child row hangs off its framework's surrogate key.

create table frameworks (
    pk             bigint generated always as identity primary key,
    id             text        not null,
    version        text        not null,
    title          text        not null,
    source         text        not null default '',
    notes          text        not null default '',
    content_sha256 text        not null,
    published_at   timestamptz not null default now(),
    unique (id, version)
);

create table dimensions (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

create table stages (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

create table implementers (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

create table audit_groups (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

create table threats (
    framework            bigint   not null references frameworks (pk),
    id                   text     not null,
    ordinal              smallint not null,
    number               smallint not null,
    name                 text     not null,
    description          text     not null,
    likelihood           smallint not null check (likelihood between 1 and 5),
    likelihood_rationale text     not null,
    impact               smallint not null check (impact between 1 and 5),
    impact_rationale     text     not null,
    primary key (framework, id),
    unique (framework, number)
);

create table threat_stages (
    framework bigint   not null,
    threat_id text     not null,
    stage_id  text     not null,
    ordinal   smallint not null,
    primary key (framework, threat_id, stage_id),
    foreign key (framework, threat_id) references threats (framework, id),
    foreign key (framework, stage_id) references stages (framework, id)
);

create table threat_dimensions (
    framework    bigint   not null,
    threat_id    text     not null,
    dimension_id text     not null,
    ordinal      smallint not null,
    primary key (framework, threat_id, dimension_id),
    foreign key (framework, threat_id) references threats (framework, id),
    foreign key (framework, dimension_id) references dimensions (framework, id)
);

create table controls (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    section     text     not null,
    title       text     not null,
    description text     not null,
    audit_group text     not null,
    question    text     not null,
    evidence    text     not null,
    channels    text[]   not null default '{}',
    search      tsvector generated always as (
        to_tsvector('english', id || ' ' || section || ' ' || title || ' ' || description || ' ' || question || ' ' || evidence)
    ) stored,
    primary key (framework, id),
    unique (framework, section),
    unique (framework, ordinal),
    foreign key (framework, audit_group) references audit_groups (framework, id)
);

create index controls_search on controls using gin (search);

create table control_dimensions (
    framework    bigint   not null,
    control_id   text     not null,
    dimension_id text     not null,
    ordinal      smallint not null,
    primary key (framework, control_id, dimension_id),
    foreign key (framework, control_id) references controls (framework, id),
    foreign key (framework, dimension_id) references dimensions (framework, id)
);

create index control_dimensions_dimension on control_dimensions (framework, dimension_id);

create table control_implementers (
    framework      bigint   not null,
    control_id     text     not null,
    implementer_id text     not null,
    ordinal        smallint not null,
    primary key (framework, control_id, implementer_id),
    foreign key (framework, control_id) references controls (framework, id),
    foreign key (framework, implementer_id) references implementers (framework, id)
);

create index control_implementers_implementer on control_implementers (framework, implementer_id);

-- control_threats records which threats a control mitigates; exactly one per
-- control is primary (the threat whose section number the control carries).
create table control_threats (
    framework  bigint   not null,
    control_id text     not null,
    threat_id  text     not null,
    is_primary boolean  not null,
    ordinal    smallint not null,
    primary key (framework, control_id, threat_id),
    foreign key (framework, control_id) references controls (framework, id),
    foreign key (framework, threat_id) references threats (framework, id)
);

create unique index control_threats_one_primary on control_threats (framework, control_id) where is_primary;
create index control_threats_threat on control_threats (framework, threat_id);

-- Published catalogs never change: refuse updates, deletes and truncation in
-- the database itself, whoever connects.
create function refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'rows of % cannot be changed or removed', tg_table_name
        using errcode = '55000';
end
$$;

do $$
declare
    t text;
begin
    foreach t in array array['frameworks', 'dimensions', 'stages', 'implementers', 'audit_groups',
                             'threats', 'threat_stages', 'threat_dimensions', 'controls',
                             'control_dimensions', 'control_implementers', 'control_threats']
    loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_change()',
                       t || '_immutable', t);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_change()',
                       t || '_no_truncate', t);
    end loop;
end
$$;
