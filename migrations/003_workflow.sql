-- The supervisory workflow: campaigns, assessments and their responses,
-- evidence, sealed submissions, findings.

create table campaigns (
    id           uuid        primary key default gen_random_uuid(),
    name         text        not null check (length(name) between 1 and 200),
    framework    bigint      not null references frameworks (pk),
    provider_ids uuid[]      not null default '{}',
    kinds        text[]      not null default '{}',
    tiers        smallint[]  not null default '{}',
    opens_at     date        not null,
    due_at       date        not null,
    instructions text        not null default '',
    status       text        not null default 'draft' check (status in ('draft', 'open', 'closed')),
    created_by   uuid        references users (id),
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    opened_at    timestamptz,
    closed_at    timestamptz,
    version      integer     not null default 1,
    check (due_at > opens_at)
);

create table assessments (
    id           uuid        primary key default gen_random_uuid(),
    campaign_id  uuid        not null references campaigns (id),
    provider_id  uuid        not null references providers (id),
    framework    bigint      not null references frameworks (pk),
    status       text        not null default 'draft' check (status in ('draft', 'submitted', 'in_review',
                                                                        'changes_requested', 'approved', 'rejected')),
    submissions  integer     not null default 0,
    created_at   timestamptz not null default now(),
    updated_at   timestamptz not null default now(),
    submitted_at timestamptz,
    decided_at   timestamptz,
    decided_by   uuid        references users (id),
    version      integer     not null default 1,
    unique (campaign_id, provider_id)
);

create index assessments_provider on assessments (provider_id);
create index assessments_status on assessments (campaign_id, status);

-- transitions records every change of an assessment's state: who, when, why.
create table assessment_transitions (
    id            bigint      generated always as identity primary key,
    assessment_id uuid        not null references assessments (id),
    from_status   text        not null,
    to_status     text        not null,
    actor_id      uuid        references users (id),
    at            timestamptz not null default now(),
    reason        text        not null default ''
);

create index assessment_transitions_assessment on assessment_transitions (assessment_id, id);

create table responses (
    assessment_id    uuid        not null references assessments (id),
    framework        bigint      not null,
    control_id       text        not null,
    ordinal          smallint    not null,
    status           text        check (status in ('implemented', 'partial', 'not_implemented', 'not_applicable')),
    maturity         smallint    check (maturity between 0 and 5),
    narrative        text        not null default '',
    remediation_date date,
    justification    text        not null default '',
    updated_at       timestamptz not null default now(),
    updated_by       uuid        references users (id),
    verdict          text        check (verdict in ('accepted', 'needs_info', 'rejected')),
    verdict_comment  text        not null default '',
    verdict_by       uuid        references users (id),
    verdict_at       timestamptz,
    version          integer     not null default 1,
    primary key (assessment_id, control_id),
    foreign key (framework, control_id) references controls (framework, id)
);

-- Evidence content is stored once per SHA-256, in chunks so that uploads
-- and downloads stream without holding a whole file in memory.
create table blobs (
    sha256     text        primary key,
    size       bigint      not null,
    created_at timestamptz not null default now()
);

create table blob_chunks (
    sha256 text    not null references blobs (sha256),
    seq    integer not null,
    data   bytea   not null,
    primary key (sha256, seq)
);

create table evidence (
    id            uuid        primary key default gen_random_uuid(),
    assessment_id uuid        not null references assessments (id),
    provider_id   uuid        not null references providers (id),
    filename      text        not null check (length(filename) between 1 and 255),
    media_type    text        not null,
    size          bigint      not null,
    sha256        text        not null references blobs (sha256),
    uploaded_by   uuid        references users (id),
    uploaded_at   timestamptz not null default now(),
    unique (assessment_id, sha256)
);

create index evidence_provider on evidence (provider_id);

create table response_evidence (
    assessment_id uuid not null,
    control_id    text not null,
    evidence_id   uuid not null references evidence (id),
    primary key (assessment_id, control_id, evidence_id),
    foreign key (assessment_id, control_id) references responses (assessment_id, control_id)
);

-- submissions keeps every filing as a sealed snapshot.
create table submissions (
    assessment_id uuid        not null references assessments (id),
    version       integer     not null,
    submitted_at  timestamptz not null,
    submitted_by  uuid        references users (id),
    late          boolean     not null,
    attestation   jsonb       not null,
    content       jsonb       not null,
    seal_sha256   text        not null,
    primary key (assessment_id, version)
);

create table findings (
    id               uuid        primary key default gen_random_uuid(),
    assessment_id    uuid        not null references assessments (id),
    provider_id      uuid        not null references providers (id),
    control_id       text,
    title            text        not null,
    severity         text        not null check (severity in ('low', 'medium', 'high', 'critical')),
    description      text        not null,
    due_at           date        not null,
    status           text        not null default 'open' check (status in ('open', 'in_progress', 'resolved', 'verified')),
    remediation_plan text        not null default '',
    created_by       uuid        references users (id),
    created_at       timestamptz not null default now(),
    updated_at       timestamptz not null default now(),
    version          integer     not null default 1
);

create index findings_provider on findings (provider_id, status);
create index findings_assessment on findings (assessment_id);
create index findings_due on findings (due_at) where status in ('open', 'in_progress');

create table finding_updates (
    id          bigint      generated always as identity primary key,
    finding_id  uuid        not null references findings (id),
    at          timestamptz not null default now(),
    actor_id    uuid        references users (id),
    note        text        not null default '',
    from_status text        not null,
    to_status   text        not null
);

create index finding_updates_finding on finding_updates (finding_id, id);

-- Filed and stored things never change.
do $$
declare
    t text;
begin
    foreach t in array array['blobs', 'blob_chunks', 'evidence', 'submissions', 'assessment_transitions', 'finding_updates']
    loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_change()',
                       t || '_immutable', t);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_change()',
                       t || '_no_truncate', t);
    end loop;
end
$$;
