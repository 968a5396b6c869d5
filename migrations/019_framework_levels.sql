-- Frameworks beyond X.1150: a checklist without threats needs nothing new,
-- but a published framework may carry its licence (an imported standard
-- keeps its attribution) and levels of assessment (testing profiles such as
-- MASVS's L1, L2, R and P), each control listing the levels it belongs to.
-- Like every catalog row, levels never change once written.
alter table frameworks add column licence text not null default '';

create table levels (
    framework   bigint   not null references frameworks (pk),
    id          text     not null,
    ordinal     smallint not null,
    name        text     not null,
    description text     not null,
    primary key (framework, id)
);

alter table controls add column levels text[] not null default '{}';

create trigger levels_immutable before update or delete on levels for each row execute function refuse_change();
create trigger levels_no_truncate before truncate on levels for each statement execute function refuse_change();
