-- Mappings between frameworks: which control of one framework version
-- relates to which of another, how (NIST OLIR's relationships), how
-- strongly (0-10) and why. Like catalogs, a published mapping version never
-- changes, and its links name controls that exist on both sides.
create table mappings (
    pk               bigint generated always as identity primary key,
    id               text        not null,
    version          text        not null,
    title            text        not null,
    notes            text        not null default '',
    source_framework bigint      not null references frameworks (pk),
    target_framework bigint      not null references frameworks (pk),
    content_sha256   text        not null,
    published_at     timestamptz not null default now(),
    unique (id, version),
    check (source_framework <> target_framework)
);

create table mapping_links (
    mapping          bigint   not null references mappings (pk),
    ordinal          integer  not null,
    source_framework bigint   not null,
    source_control   text     not null,
    target_framework bigint   not null,
    target_control   text     not null,
    relationship     text     not null check (relationship in ('equal', 'subset_of', 'superset_of', 'intersects_with', 'not_related')),
    strength         smallint not null check (strength between 0 and 10),
    rationale        text     not null,
    primary key (mapping, ordinal),
    unique (mapping, source_control, target_control),
    foreign key (source_framework, source_control) references controls (framework, id),
    foreign key (target_framework, target_control) references controls (framework, id)
);

-- A control's links, from either side.
create index mapping_links_source on mapping_links (source_framework, source_control);
create index mapping_links_target on mapping_links (target_framework, target_control);

create trigger mappings_immutable before update or delete on mappings for each row execute function refuse_change();
create trigger mappings_no_truncate before truncate on mappings for each statement execute function refuse_change();
create trigger mapping_links_immutable before update or delete on mapping_links for each row execute function refuse_change();
create trigger mapping_links_no_truncate before truncate on mapping_links for each statement execute function refuse_change();
