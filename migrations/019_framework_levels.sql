-- Frameworks beyond X.1150: a checklist without threats needs nothing new,
-- but a published framework may carry its licence (an imported standard
-- keeps its attribution) and levels of assessment (testing profiles such as
-- MASVS's L1, L2, R and P), each control listing the levels it belongs to,
-- and a control may name the policy area of an ISO/IEC 27001-style policy
-- set under which an auditor looks for it (the audit guideline gives one per
-- control). Like every catalog row, levels never change once written.
-- It runs again unchanged over what it made (the evidence migration test
-- makes it for today's code).
alter table frameworks add column if not exists licence text not null default '';

create table if not exists levels (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

alter table controls add column if not exists levels text[] not null default '{}',
    add column if not exists policy_area text not null default '';

create or replace trigger levels_immutable before update or delete on levels
    for each row execute function refuse_change();
create or replace trigger levels_no_truncate before truncate on levels
    for each statement execute function refuse_change();

-- A campaign may ask one level of its framework: only the controls of
-- that level are then answered.
alter table campaigns add column if not exists level text not null default '';

-- A mobile network operator that offers no DFS itself can be registered,
-- so a telecom regulator assesses it on the operators' controls.
alter table providers drop constraint if exists providers_kind_check;
alter table providers add constraint providers_kind_check check (kind in ('bank', 'mobile_money_operator', 'psp',
    'emi', 'mfi', 'fintech', 'agent_network', 'payment_switch', 'mno'));
