-- Providers' customer-facing apps, their releases, what a testing lab found
-- in each release against an app baseline, and the supervisor's verdict on
-- whether the release may go live. A release, a lab result and a verdict
-- never change once recorded: a retest is a new result, a changed mind a
-- new verdict, a new build a new release.
create table provider_apps (
    id          uuid        primary key default gen_random_uuid(),
    provider_id uuid        not null references providers (id),
    name        text        not null check (length(name) between 1 and 200),
    platform    text        not null check (platform in ('android', 'ios', 'ussd', 'stk')),
    package_id  text        not null check (length(package_id) between 1 and 255),
    created_by  uuid        references users (id),
    created_at  timestamptz not null default now(),
    unique (provider_id, platform, package_id)
);

create index provider_apps_list on provider_apps (provider_id, lower(name), id);
create index provider_apps_all on provider_apps (lower(name), id);

create table app_releases (
    id          uuid        primary key default gen_random_uuid(),
    app_id      uuid        not null references provider_apps (id),
    version     text        not null check (length(version) between 1 and 64),
    build_hash  text        not null check (build_hash ~ '^[0-9a-f]{64}$'),
    created_by  uuid        references users (id),
    created_at  timestamptz not null default now(),
    unique (app_id, version)
);

create index app_releases_app on app_releases (app_id, created_at desc, id);

create table lab_results (
    id              uuid        primary key default gen_random_uuid(),
    release_id      uuid        not null references app_releases (id),
    provider_id     uuid        not null references providers (id),
    framework       bigint      not null references frameworks (pk),
    lab             text        not null check (length(lab) between 1 and 200),
    tested_on       date        not null,
    report_filename text        not null check (length(report_filename) between 1 and 255),
    report_type     text        not null,
    report_size     bigint      not null,
    report_sha256   text        not null,
    recorded_by     uuid        references users (id),
    recorded_at     timestamptz not null default now(),
    foreign key (provider_id, report_sha256) references blobs (provider_id, sha256)
);

-- The lab's latest word on each of a provider's apps is found through this.
create index lab_results_release on lab_results (release_id, tested_on desc, recorded_at desc);
create index lab_results_provider on lab_results (provider_id);

create table lab_result_items (
    result_id  uuid     not null references lab_results (id),
    framework  bigint   not null,
    control_id text     not null,
    outcome    text     not null check (outcome in ('pass', 'fail', 'not_applicable')),
    masvs_ref  text     not null default '',
    note       text     not null default '',
    primary key (result_id, control_id),
    foreign key (framework, control_id) references controls (framework, id)
);

create table release_verdicts (
    id            uuid        primary key default gen_random_uuid(),
    release_id    uuid        not null references app_releases (id),
    lab_result_id uuid        not null references lab_results (id),
    verdict       text        not null check (verdict in ('approved', 'conditions', 'refused')),
    conditions    text        not null default '',
    decided_by    uuid        references users (id),
    decided_at    timestamptz not null default now()
);

create index release_verdicts_release on release_verdicts (release_id, decided_at desc, id);

do $$
declare
    t text;
begin
    foreach t in array array['app_releases', 'lab_results', 'lab_result_items', 'release_verdicts']
    loop
        execute format('create trigger %I before update or delete on %I for each row execute function refuse_change()',
                       t || '_immutable', t);
        execute format('create trigger %I before truncate on %I for each statement execute function refuse_change()',
                       t || '_no_truncate', t);
    end loop;
end
$$;
