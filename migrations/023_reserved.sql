-- Number 023 belongs to the risk-scoring change made on another branch. This
-- file only holds its place, so that this branch's migrations run in order;
-- it is dropped when that branch's 023 is merged (tern refuses two files
-- numbered 023, so the merge cannot keep both by mistake).
select 1;
