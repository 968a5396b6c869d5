-- Evidence content was stored once per SHA-256 for every provider alike. A
-- provider uploading a file that another provider already held skipped
-- writing it and finished measurably sooner, so the time an upload took told
-- whether someone else had that exact file. Content is now kept per
-- provider, shared only among one provider's own evidence.
--
-- Evidence keeps its sha256: it is the hash of the content, sealed into
-- filings. Only where the content is stored changes: from (sha256) to
-- (provider_id, sha256), columns every evidence record already has, so no
-- evidence row is touched. No stored row is updated or deleted either: the
-- content is copied into new tables, the old ones are dropped whole, and the
-- new ones take their names and their immutability. Tern runs all of it in
-- one transaction.

create table provider_blobs (
    provider_id uuid        not null references providers (id),
    sha256      text        not null,
    size        bigint      not null,
    created_at  timestamptz not null default now(),
    primary key (provider_id, sha256)
);

create table provider_blob_chunks (
    provider_id uuid    not null,
    sha256      text    not null,
    seq         integer not null,
    data        bytea   not null,
    primary key (provider_id, sha256, seq),
    foreign key (provider_id, sha256) references provider_blobs (provider_id, sha256)
);

-- One copy for each provider whose evidence uses a content: a content
-- several providers hold is copied once per provider. Content that no
-- evidence uses could never be read and is not carried over.
insert into provider_blobs (provider_id, sha256, size, created_at)
select e.provider_id, b.sha256, b.size, min(e.uploaded_at)
from blobs b
join evidence e on e.sha256 = b.sha256
group by e.provider_id, b.sha256, b.size;

insert into provider_blob_chunks (provider_id, sha256, seq, data)
select pb.provider_id, c.sha256, c.seq, c.data
from provider_blobs pb
join blob_chunks c on c.sha256 = pb.sha256;

alter table evidence
    drop constraint evidence_sha256_fkey,
    add constraint evidence_content_fkey foreign key (provider_id, sha256)
        references provider_blobs (provider_id, sha256);

drop table blob_chunks;
drop table blobs;

alter table provider_blobs rename to blobs;
alter table blobs rename constraint provider_blobs_pkey to blobs_pkey;
alter table blobs rename constraint provider_blobs_provider_id_fkey to blobs_provider_id_fkey;
alter table provider_blob_chunks rename to blob_chunks;
alter table blob_chunks rename constraint provider_blob_chunks_pkey to blob_chunks_pkey;
alter table blob_chunks rename constraint provider_blob_chunks_provider_id_sha256_fkey to blob_chunks_content_fkey;

-- Stored content never changes, as before.
create trigger blobs_immutable before update or delete on blobs
    for each row execute function refuse_change();
create trigger blobs_no_truncate before truncate on blobs
    for each statement execute function refuse_change();
create trigger blob_chunks_immutable before update or delete on blob_chunks
    for each row execute function refuse_change();
create trigger blob_chunks_no_truncate before truncate on blob_chunks
    for each statement execute function refuse_change();
