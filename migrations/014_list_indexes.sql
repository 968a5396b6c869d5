-- Each list's filter and order served by one index, so that a page reads
-- its own rows and stops, however large the sector. Keyset conditions and
-- orders compare ids as uuids, as these indexes hold them.

-- The findings of an assessment, by due date (the assessment report and
-- the findings page), and the findings across the sector in the same order.
create index findings_assessment_due on findings (assessment_id, due_at, id);
drop index findings_assessment;
create index findings_due_id on findings (due_at, id);

-- The provider register, by short name.
create index providers_short_name on providers (lower(short_name), id);

-- The evidence of an assessment, newest first.
create index evidence_assessment_uploaded on evidence (assessment_id, uploaded_at, id);

-- A user's personal API tokens, newest first.
create index tokens_api_user_created on tokens (user_id, created_at, id) where kind = 'api';

-- The review queue, the longest waiting first.
create index assessments_waiting on assessments ((coalesce(submitted_at, updated_at)), id)
    where status in ('submitted', 'in_review');

-- The progress a list of assessments shows (answers given of the questions
-- asked) is counted from the index alone.
create index responses_answered on responses (assessment_id) where status is not null;
