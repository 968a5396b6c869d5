package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/api"
	"assure/domain"
)

// auditRow is an audit event as stored, with the verdict time of the
// response it names, for checking that both were written together.
type auditRow struct {
	Action, ObjectType, ObjectID, ProviderID, ActorID, Summary string
	At                                                         time.Time
	VerdictAt                                                  *time.Time
}

// eventsAfter reads the audit events after seq, oldest first, each with the
// verdict_at of the response its object id names (if it names one).
func (s *server) eventsAfter(seq int64) []auditRow {
	s.t.Helper()
	conn, err := pgx.Connect(context.Background(), s.dbURL)
	s.must(err)
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `select e.action, e.object_type, e.object_id,
			coalesce(e.provider_id::text, ''), coalesce(e.actor_id::text, ''), e.summary, e.at, r.verdict_at
		from audit_events e
		left join responses r on e.object_type = 'response' and r.assessment_id::text || '/' || r.control_id = e.object_id
		where e.seq > $1 order by e.seq`, seq)
	s.must(err)
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (auditRow, error) {
		var a auditRow
		err := row.Scan(&a.Action, &a.ObjectType, &a.ObjectID, &a.ProviderID, &a.ActorID, &a.Summary, &a.At, &a.VerdictAt)
		return a, err
	})
	s.must(err)
	return list
}

// lastSeq is the sequence number of the newest audit event.
func (s *server) lastSeq() int64 {
	s.t.Helper()
	var seq int64
	s.must(s.queryRow(`select coalesce(max(seq), 0) from audit_events`, nil, &seq))
	return seq
}

// TestEveryVerdictIsAudited records verdicts one at a time and in bulk: each
// appends exactly one event, naming the response, the provider and the
// supervisor, and stamped by the same transaction that stored the verdict.
// A refused bulk records neither verdicts nor events.
func TestEveryVerdictIsAudited(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	f := newFiling(s, "bank")
	s.answerAll(f.adminActor, f.assessment.ID)
	_, err := s.db.Submit(ctx0, f.adminActor, f.assessment.ID, attestation)
	s.must(err)
	supUser := s.user(domain.RoleSupervisor, "")
	sup := s.as(s.tokenFor(supUser))
	sup.json(http.MethodPost, f.path("/start-review"), nil, http.StatusOK, nil)
	responses := readAll[api.Response](sup, f.path("/responses"))
	if len(responses) < 5 {
		t.Fatalf("%d responses", len(responses))
	}

	type verdict struct{ control, verdict, comment string }
	check := func(what string, since int64, want []verdict) {
		t.Helper()
		events := s.eventsAfter(since)
		if len(events) != len(want) {
			t.Fatalf("%s: %d audit events, want %d: %+v", what, len(events), len(want), events)
		}
		for i, e := range events {
			w := want[i]
			var summary struct {
				ControlID string `json:"control_id"`
				Verdict   string `json:"verdict"`
				Comment   string `json:"comment"`
			}
			if err := json.Unmarshal([]byte(e.Summary), &summary); err != nil {
				t.Fatal(err)
			}
			if e.Action != "response.verdict" || e.ObjectType != "response" || e.ObjectID != f.assessment.ID+"/"+w.control ||
				e.ProviderID != f.provider || e.ActorID != supUser.ID {
				t.Errorf("%s: event %d = %s %s %s by %s for %s", what, i, e.Action, e.ObjectType, e.ObjectID, e.ActorID, e.ProviderID)
			}
			if summary.ControlID != w.control || summary.Verdict != w.verdict || summary.Comment != w.comment {
				t.Errorf("%s: event %d summary = %s, want %+v", what, i, e.Summary, w)
			}
			// now() is the transaction's clock: equal times mean one transaction.
			if e.VerdictAt == nil || !e.VerdictAt.Equal(e.At) {
				t.Errorf("%s: event %d at %v, verdict stored at %v: not one transaction", what, i, e.At, e.VerdictAt)
			}
		}
	}

	c1 := responses[0]
	before := s.lastSeq()
	sup.json(http.MethodPut, f.path("/responses/"+c1.ControlID+"/verdict"), map[string]any{"verdict": "accepted"},
		http.StatusOK, nil)
	check("single verdict", before, []verdict{{c1.ControlID, "accepted", ""}})

	bulk := []verdict{
		{responses[1].ControlID, "rejected", "The policy is a draft."},
		{responses[2].ControlID, "needs_info", "Send the test report."},
		{responses[3].ControlID, "accepted", ""},
	}
	var body []map[string]any
	for _, v := range bulk {
		body = append(body, map[string]any{"control_id": v.control, "verdict": v.verdict, "comment": v.comment})
	}
	before = s.lastSeq()
	sup.json(http.MethodPut, f.path("/verdicts"), map[string]any{"verdicts": body}, http.StatusOK, nil)
	check("bulk verdicts", before, bulk)

	// A bulk with one bad line records nothing at all.
	before = s.lastSeq()
	wantProblem(t, sup.do(http.MethodPut, f.path("/verdicts"), map[string]any{"verdicts": []map[string]any{
		{"control_id": responses[4].ControlID, "verdict": "accepted"}, {"control_id": "C999", "verdict": "accepted"}}}),
		http.StatusUnprocessableEntity)
	check("refused bulk", before, nil)
	var r api.Response
	sup.getJSON(f.path("/responses/"+responses[4].ControlID), &r)
	if r.Verdict != "" {
		t.Errorf("the refused bulk stored a verdict on %s: %s", r.ControlID, r.Verdict)
	}
}
