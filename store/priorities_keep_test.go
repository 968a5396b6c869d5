package store_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
)

// rankingFromScratch is the ranking as it was computed before it was
// stored: the whole campaign read with correlated subqueries for the day
// today and sorted in Go. It is the oracle the stored rows must equal.
func rankingFromScratch(t *testing.T, url, campaignID string, today domain.Date) []store.Priority {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `select a.id::text, a.provider_id::text, p.short_name, a.provider_kind, a.provider_tier,
			a.status, f.assessment_id is not null,
			a.status in ('draft', 'changes_requested') and c.due_at < $2::date,
			(select coalesce(array_agg(fi.severity::text order by fi.due_at, fi.id), '{}') from findings fi
				where fi.provider_id = a.provider_id and fi.status in ('open', 'in_progress') and fi.due_at < $2::date),
			(select coalesce(array_agg(fi.due_at order by fi.due_at, fi.id), '{}') from findings fi
				where fi.provider_id = a.provider_id and fi.status in ('open', 'in_progress') and fi.due_at < $2::date),
			(select max(i.held_on) from inspections i where i.provider_id = a.provider_id and i.kind = 'on_site'
				and not exists (select 1 from inspections r where r.replaces = i.id)),
			coalesce(f.threats, cur.threats), coalesce(f.max_score, cur.max_inherent), coalesce(f.sum_score, cur.sum_inherent),
			coalesce((select json_agg(json_build_object('threat_id', x.threat_id, 'score', x.score, 'level', x.level))
				from (select tr.threat_id, case when f.assessment_id is null then tr.l0 * tr.i0 else tr.score end score,
					tr.level from threat_risks tr
					where tr.assessment_id = a.id and tr.basis = coalesce(f.basis, cur.basis) and tr.applicable
					order by 2 desc, tr.threat_id limit 3) x), '[]'),
			coalesce((select json_agg(json_build_object('dimension_id', y.key, 'compliance', y.v))
				from (select cs.key, cs.credit::float8 / cs.weight v from compliance_scores cs
					where cs.assessment_id = a.id and cs.basis = f.basis and cs.facet = 'dimension'
					and cs.weight > 0 order by 2, cs.key limit 2) y), '[]')
		from assessments a join providers p on p.id = a.provider_id join campaigns c on c.id = a.campaign_id
		join assessment_risk cur on cur.assessment_id = a.id and cur.basis = 'current'
		left join assessment_risk f on f.assessment_id = a.id and f.basis = 'filed'
		where a.campaign_id = $1`, campaignID, today.Time())
	if err != nil {
		t.Fatal(err)
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Priority, error) {
		var p store.Priority
		var top, worst []byte
		var severities []string
		var due []time.Time
		var lastOnSite *time.Time
		err := r.Scan(&p.AssessmentID, &p.ProviderID, &p.ProviderName, &p.Kind, &p.Tier, &p.Status, &p.Filed,
			&p.FilingOverdue, &severities, &due, &lastOnSite, &p.Input.Threats, &p.Input.MaxScore, &p.Input.SumScore,
			&top, &worst)
		if err != nil {
			return p, err
		}
		if err := json.Unmarshal(top, &p.TopThreats); err != nil {
			return p, err
		}
		if !p.Filed {
			for i := range p.TopThreats {
				p.TopThreats[i].Level = domain.LevelOf(p.TopThreats[i].Score)
			}
		}
		if err := json.Unmarshal(worst, &p.WorstDimensions); err != nil {
			return p, err
		}
		p.Input.Tier, p.Input.FilingOverdue = p.Tier, p.FilingOverdue
		if lastOnSite != nil {
			p.Input.LastOnSite = domain.DateOf(*lastOnSite)
		}
		// The stored ranking keeps the overdue findings' count and weight,
		// not the findings: the oracle works them out and keeps the same.
		in := p.Input
		for i := range severities {
			in.OverdueFindings = append(in.OverdueFindings, domain.OverdueFinding{Severity: domain.Severity(severities[i]),
				DueAt: domain.DateOf(due[i])})
		}
		p.Drivers = in.Drivers(today)
		p.OverdueFindings = len(in.OverdueFindings)
		p.Score = p.Drivers.Priority()
		return p, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		switch {
		case a.Filed != b.Filed:
			return a.Filed
		case a.Score != b.Score:
			return a.Score > b.Score
		case a.Tier != b.Tier:
			return a.Tier < b.Tier
		case a.ProviderName != b.ProviderName:
			return a.ProviderName < b.ProviderName
		}
		return a.AssessmentID < b.AssessmentID
	})
	for i := range list {
		list[i].Rank = i + 1
	}
	return list
}

// storedRanking reads the whole stored ranking a small page at a time, so
// the keyset and the rank carried by the cursor are exercised.
func storedRanking(t *testing.T, db *store.DB, actor domain.Actor, campaignID string) []store.Priority {
	t.Helper()
	var all []store.Priority
	page := store.Page{Limit: 2}
	for {
		list, next, err := db.Priorities(context.Background(), actor, campaignID, page)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, list...)
		if next == "" {
			return all
		}
		page.Cursor = next
	}
}

// sameRanking reports the first difference between two rankings.
func sameRanking(got, want []store.Priority) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := fmt.Sprintf("%+v", got[i]), fmt.Sprintf("%+v", want[i])
		if g != w {
			return fmt.Errorf("row %d:\n got %s\nwant %s", i+1, g, w)
		}
	}
	return nil
}

// sector is a campaign over six banks of mixed tiers, two of them named
// alike so that names break ties, with a day that tests move on.
type sector struct {
	*filing
	sides    []side
	campaign domain.Campaign
	admin    domain.Actor
	day      domain.Date
}

func newSector(t *testing.T) *sector {
	t.Helper()
	ctx := context.Background()
	s := &sector{filing: newFiling(t), day: domain.Today()}
	s.db.SetToday(func() domain.Date { return s.day })
	s.admin = actorOf(newUser(t, s.db, "admin@regulator.test", domain.RoleAdmin, ""))
	s.sides = []side{s.a, s.b}
	for i, name := range []string{"Gamma Bank", "Delta Bank", "Epsilon Bank", "Zeta Bank"} {
		s.sides = append(s.sides, newSide(t, s.db, s.url, name, fmt.Sprintf("s%d", i)))
	}
	ids := make([]string, len(s.sides))
	for i, sd := range s.sides {
		ids[i] = sd.id
		exec(t, s.url, `update providers set tier = $2 where id = $1`, sd.id, 1+i%3)
	}
	c, err := s.db.CreateCampaign(ctx, s.sup, domain.Campaign{Name: "Sector review", FrameworkID: "x1150",
		ProviderIDs: ids, OpensAt: s.day.AddDays(-1), DueAt: s.day.AddDays(3)})
	if err != nil {
		t.Fatal(err)
	}
	if s.campaign, err = s.db.OpenCampaign(ctx, s.sup, c.ID); err != nil {
		t.Fatal(err)
	}
	list, _, err := s.db.Assessments(ctx, s.sup, store.AssessmentFilter{CampaignID: c.ID}, store.Page{})
	if err != nil || len(list) != len(s.sides) {
		t.Fatalf("assessments: %v, %v", list, err)
	}
	for _, a := range list {
		for i := range s.sides {
			if s.sides[i].id == a.ProviderID {
				s.sides[i].assessment = a
			}
		}
	}
	return s
}

// check fails the test unless the stored ranking equals the one computed
// from scratch for the sector's day.
func (s *sector) check(t *testing.T, after string) {
	t.Helper()
	if err := sameRanking(storedRanking(t, s.db, s.sup, s.campaign.ID), rankingFromScratch(t, s.url, s.campaign.ID, s.day)); err != nil {
		t.Fatalf("after %s: %v", after, err)
	}
}

// TestPrioritiesStoredEqualFromScratch: after every one of a run of random
// writes (answers, filings, findings raised and resolved, renames, an
// extension, inspections recorded and put right, days passing), the stored
// ranking read page by page equals the ranking computed from scratch.
func TestPrioritiesStoredEqualFromScratch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSector(t)
	s.check(t, "opening")
	rng := rand.New(rand.NewPCG(14, 2))
	statuses := []domain.ResponseStatus{domain.Implemented, domain.NotImplemented, domain.Partial}
	var findings []domain.Finding
	var inspections []domain.Inspection
	done := map[string]int{}
	// Findings are raised and resolved twice as often as anything else:
	// resolving one that a passing day has made overdue is what moves ranks.
	ops := []int{0, 1, 2, 2, 3, 3, 4, 5, 6, 7}
	for step := range 50 {
		sd := s.sides[rng.IntN(len(s.sides))]
		var what string
		var err error
		switch ops[rng.IntN(len(ops))] {
		case 0: // a few draft answers
			what = "answers"
			rs := s.responses(t, sd.editor, sd.assessment.ID)
			var ups []store.ResponseUpdate
			for range 3 {
				r := rs[rng.IntN(len(rs))]
				ups = append(ups, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
					Input: domain.ResponseInput{Status: statuses[rng.IntN(len(statuses))], Narrative: "Step.",
						RemediationDate: s.day.AddDays(200).String()}})
			}
			_, err = s.db.SaveResponses(ctx, sd.editor, sd.assessment.ID, dedupe(ups), "body.responses")
		case 1: // a filing
			what = "filing"
			if s.assessment(t, sd.assessment.ID).Status != domain.StatusDraft {
				continue
			}
			s.answerAll(t, sd)
			_, err = s.db.Submit(ctx, sd.admin, sd.assessment.ID, attestation)
		case 2: // a finding falls due in a day or two
			what = "finding"
			var f domain.Finding
			f, err = s.db.CreateFinding(ctx, s.sup, store.NewFinding{AssessmentID: sd.assessment.ID, Title: "Patch lag",
				Severity: domain.Severities[rng.IntN(len(domain.Severities))], Description: "Servers unpatched.",
				DueAt: domain.Today().AddDays(1 + rng.IntN(2))})
			if err == nil {
				findings = append(findings, f)
			}
		case 3: // a finding resolved
			what = "resolution"
			if len(findings) == 0 {
				continue
			}
			i := rng.IntN(len(findings))
			f := findings[i]
			findings = append(findings[:i], findings[i+1:]...)
			owner := s.sides[0]
			for _, x := range s.sides {
				if x.id == f.ProviderID {
					owner = x
				}
			}
			_, err = s.db.RespondToFinding(ctx, owner.admin, f.ID, store.FindingResponse{Note: "Done.", Action: domain.FindingResolve})
		case 4: // a rename that moves the provider among its ties
			what = "rename"
			name := fmt.Sprintf("%c Bank %d", 'A'+rng.IntN(26), step)
			_, err = s.db.UpdateProvider(ctx, s.admin, sd.id, store.ProviderChange{ShortName: &name}, 0)
		case 5: // the campaign extended by a day
			what = "extension"
			c, e := s.db.Campaign(ctx, s.sup, s.campaign.ID)
			if e != nil {
				t.Fatal(e)
			}
			_, err = s.db.ExtendCampaign(ctx, s.sup, s.campaign.ID, c.DueAt.AddDays(1), "More time.")
		case 6: // days pass with no write: findings fall overdue and age
			what = "a day passing"
			s.day = s.day.AddDays(2)
		case 7: // an inspection held up to three years ago, half of them close
			// to an anniversary a passing day reaches; now and then one put right
			what = "inspection"
			back := rng.IntN(3*365 + 10)
			if rng.IntN(2) == 0 {
				back = 365*(1+rng.IntN(3)) - rng.IntN(6)
			}
			n := domain.NewInspection{ProviderID: sd.id, HeldOn: s.day.AddDays(-back),
				Kind: domain.InspectionKinds[rng.IntN(len(domain.InspectionKinds))], LeadInspector: "R. Okafor", Summary: "Visit."}
			if len(inspections) > 0 && rng.IntN(3) == 0 {
				prev := inspections[rng.IntN(len(inspections))]
				n.ProviderID, n.Replaces = prev.ProviderID, prev.ID
			}
			var in domain.Inspection
			if in, err = s.db.RecordInspection(ctx, s.sup, n); err == nil {
				inspections = append(inspections, in)
			}
		}
		if err != nil {
			if c := domain.ErrorCodeOf(err); c == domain.EConflict || c == domain.EInvalid {
				continue // not allowed in this state; the ranking must not have moved either
			}
			t.Fatalf("step %d, %s: %v", step, what, err)
		}
		done[what]++
		s.check(t, fmt.Sprintf("step %d, %s", step, what))
	}
	t.Logf("writes: %v", done)
	for _, what := range []string{"answers", "filing", "finding", "resolution", "rename", "extension", "inspection",
		"a day passing"} {
		if done[what] == 0 {
			t.Errorf("no %s happened: the run does not test it (%v)", what, done)
		}
	}
}

// dedupe keeps the first update of each control.
func dedupe(ups []store.ResponseUpdate) []store.ResponseUpdate {
	seen := map[string]bool{}
	var out []store.ResponseUpdate
	for _, u := range ups {
		if !seen[u.ControlID] {
			seen[u.ControlID] = true
			out = append(out, u)
		}
	}
	return out
}

// TestPrioritiesOverdueWhenADayPasses: a finding due tomorrow is not overdue
// today; the day after tomorrow, with no write in between, the ranking shows
// it overdue, and an unfiled provider's filing overdue once the campaign's
// due date has passed.
func TestPrioritiesOverdueWhenADayPasses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSector(t)
	sd := s.sides[2]
	if _, err := s.db.CreateFinding(ctx, s.sup, store.NewFinding{AssessmentID: sd.assessment.ID, Title: "Weak keys",
		Severity: domain.SeverityHigh, Description: "Keys too short.", DueAt: domain.Today().AddDays(1)}); err != nil {
		t.Fatal(err)
	}
	row := func() store.Priority {
		t.Helper()
		for _, p := range storedRanking(t, s.db, s.sup, s.campaign.ID) {
			if p.ProviderID == sd.id {
				return p
			}
		}
		t.Fatal("the provider is not ranked")
		return store.Priority{}
	}
	if p := row(); p.OverdueFindings != 0 || p.FilingOverdue {
		t.Fatalf("today: %+v, want nothing overdue", p)
	}
	s.day = domain.Today().AddDays(2)
	if p := row(); p.OverdueFindings != 1 || p.FilingOverdue {
		t.Fatalf("in two days: %d overdue findings, filing overdue %v; want 1 and false", p.OverdueFindings, p.FilingOverdue)
	}
	s.day = domain.Today().AddDays(4) // the campaign fell due yesterday
	if p := row(); p.OverdueFindings != 1 || !p.FilingOverdue {
		t.Fatalf("in four days: %d overdue findings, filing overdue %v; want 1 and true", p.OverdueFindings, p.FilingOverdue)
	}
	s.check(t, "four days")
	// Housekeeping finds nothing stale now; a day later, the rows whose
	// state that day changes (the drafts, whose filing falls overdue a day
	// after the due date) are recomputed before anyone reads them.
	if n, err := s.db.RefreshStalePriorities(ctx); err != nil || n != 0 {
		t.Fatalf("housekeeping after a read = %d, %v; want nothing stale", n, err)
	}
	s.day = domain.Today().AddDays(-1)
	exec(t, s.url, `update priorities set stale_from = $1 where assessment_id = $2`, domain.Today().Time(), sd.assessment.ID)
	if n, err := s.db.RefreshStalePriorities(ctx); err != nil || n != 0 {
		t.Fatalf("housekeeping before the row's day = %d, %v; want nothing", n, err)
	}
	s.day = domain.Today()
	if n, err := s.db.RefreshStalePriorities(ctx); err != nil || n != 1 {
		t.Fatalf("housekeeping on the row's day = %d, %v; want 1", n, err)
	}
	if count(t, s.url, `select count(*) from priorities where stale_from <= $1`, domain.Today().Time()) != 0 {
		t.Error("a stale row is left after housekeeping")
	}
}

// TestPrioritiesPages: pages follow one another without gaps or repeats and
// number on from the page before; a provider user sees only its own row;
// a cursor the store did not make is refused as invalid.
func TestPrioritiesPages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newSector(t)
	s.submitted(t, s.sides[3])
	all := rankingFromScratch(t, s.url, s.campaign.ID, s.day)
	first, next, err := s.db.Priorities(ctx, s.sup, s.campaign.ID, store.Page{Limit: 4})
	if err != nil || len(first) != 4 || next == "" {
		t.Fatalf("first page = %d rows, %q, %v", len(first), next, err)
	}
	second, last, err := s.db.Priorities(ctx, s.sup, s.campaign.ID, store.Page{Limit: 4, Cursor: next})
	if err != nil || len(second) != 2 || last != "" {
		t.Fatalf("second page = %d rows, %q, %v", len(second), last, err)
	}
	if err := sameRanking(append(first, second...), all); err != nil {
		t.Fatal(err)
	}
	if second[0].Rank != 5 {
		t.Errorf("the second page starts at rank %d, want 5", second[0].Rank)
	}
	own, _, err := s.db.Priorities(ctx, s.sides[3].editor, s.campaign.ID, store.Page{})
	if err != nil || len(own) != 1 || own[0].ProviderID != s.sides[3].id || own[0].Rank != 1 {
		t.Fatalf("the provider's own ranking = %+v, %v", own, err)
	}
	for _, bad := range []string{"nonsense", "WyJ4Il0", encode(t, false, -100, 1, "Alpha Bank", "not-a-uuid", 4),
		encode(t, false, -100, 1, "Alpha Bank", s.a.assessment.ID, 0)} {
		_, _, err := s.db.Priorities(ctx, s.sup, s.campaign.ID, store.Page{Cursor: bad})
		wantCode(t, "cursor "+bad, err, domain.EInvalid)
	}
}

// encode makes a cursor by hand, as a client tampering with one would.
func encode(t *testing.T, key ...any) string {
	t.Helper()
	b, err := json.Marshal(key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
