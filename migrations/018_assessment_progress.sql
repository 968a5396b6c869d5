-- assessment_risk keeps, per basis, how many questions the assessment asks
-- and how many of them are answered, with its other scores: every write
-- that changes answers already rewrites that row, so a list of assessments
-- shows progress without counting each one's responses, and scores check
-- compares the counts with the answers like every other stored score.
-- It runs again unchanged over columns made before (the evidence migration
-- test makes them for today's code).
alter table assessment_risk add column if not exists asked integer not null default 0 check (asked >= 0),
    add column if not exists answered integer not null default 0 check (answered between 0 and asked);

-- The filed basis counts the filing's answers: the latest submission's
-- while the assessment is being revised, otherwise those that stand.
update assessment_risk k set asked = n.asked, answered = n.answered
from (select r.assessment_id, count(*)::int as asked, count(r.status)::int as answered
      from responses r group by r.assessment_id) n
where n.assessment_id = k.assessment_id;

update assessment_risk k set asked = n.asked, answered = n.answered
from (select s.assessment_id, jsonb_array_length(s.content->'responses') as asked,
             (select count(*)::int from jsonb_array_elements(s.content->'responses') e
              where coalesce(e->>'status', '') <> '') as answered
      from submissions s join assessments a on a.id = s.assessment_id and a.submissions = s.version
      where a.status in ('draft', 'changes_requested')) n
where n.assessment_id = k.assessment_id and k.basis = 'filed';
