package demo

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"assure/domain"
	"assure/store"
)

// ScalePassword is every user's password in a scale database, which is for
// measuring, never for real data.
const ScalePassword = "assure-scale-2027"

const scaleDomain = "@scale.assure.local"

// ScaleSpec says how large a sector LoadScale makes.
type ScaleSpec struct {
	Providers   int
	Campaigns   int
	AuditEvents int // at least this many events in the trail
	Seed        uint64
	AsOf        time.Time // the day the history leads up to; zero means today
}

// ScaleSummary counts what LoadScale made.
type ScaleSummary struct {
	Providers, Users, Campaigns, Assessments, Responses, Submissions, Findings int
	AuditEvents                                                                int64
}

// LoadScale fills an empty sector with a national-scale history made from
// spec.Seed alone: providers of every kind and tier, their users, a
// campaign every half-year (the newest open, the others closed), every
// provider's assessment in each with answers that improve over time,
// filings sealed as Submit seals them, verdicts, decisions under the
// four-eyes rule, findings (some overdue), stored scores and an audit trail
// of at least spec.AuditEvents events. Everything goes in by COPY in one
// transaction, so a failure leaves nothing. The same spec makes the same
// data, ids included.
func LoadScale(ctx context.Context, db *store.DB, spec ScaleSpec, progress func(string)) (ScaleSummary, error) {
	if spec.Providers < 1 || spec.Campaigns < 1 || spec.AuditEvents < 0 {
		return ScaleSummary{}, domain.Errorf(domain.EInvalid, "a scale sector needs at least one provider and one campaign")
	}
	if spec.AsOf.IsZero() {
		spec.AsOf = time.Now()
	}
	spec.AsOf = time.Date(spec.AsOf.Year(), spec.AsOf.Month(), spec.AsOf.Day(), 0, 0, 0, 0, time.UTC)
	if progress == nil {
		progress = func(string) {}
	}
	b, err := db.BeginBulk(ctx)
	if err != nil {
		return ScaleSummary{}, err
	}
	defer b.Rollback(ctx)
	s := &scale{spec: spec, b: b, progress: progress}
	if err := s.run(ctx); err != nil {
		return ScaleSummary{}, err
	}
	if err := b.Commit(ctx); err != nil {
		return ScaleSummary{}, err
	}
	return s.sum, nil
}

type scaleProvider struct {
	id, legal, short, licence string
	kind                      domain.ProviderKind
	tier                      int
	channels                  []string
	strength                  int // 0–100: how well it answers in the first campaign
	applicable                []string
}

type scaleCampaign struct {
	id, name   string
	opens, due time.Time
	open       bool
}

type scaleAssessment struct {
	id, campaign string
	c            *scaleCampaign
	p            *scaleProvider
	index        int // campaign index
	pi           int // provider index
	status       domain.AssessmentStatus
	submittedAt  time.Time
	reviewedAt   time.Time
	decidedAt    time.Time
}

type scale struct {
	spec      ScaleSpec
	b         *store.Bulk
	progress  func(string)
	sum       ScaleSummary
	fwKey     int64
	fw        *domain.Framework
	ordinals  map[string]int
	providers []scaleProvider
	campaigns []scaleCampaign
	sups      [3]domain.Actor
	auditor   domain.Actor
	system    domain.Actor
	events    []domain.Event // the next campaign's, until written
	pending   []domain.Event // every event so far, in time order, not yet written
}

// mix hashes the seed and a path of numbers to 64 well-mixed bits
// (SplitMix64 steps), so any piece of the data is a pure function of the
// seed and where it sits.
func (s *scale) mix(path ...uint64) uint64 {
	x := s.spec.Seed ^ 0x9e3779b97f4a7c15
	for _, p := range path {
		x += p + 0x9e3779b97f4a7c15
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		x ^= x >> 31
	}
	return x
}

// pct is a number in [0, 100) drawn at path.
func (s *scale) pct(path ...uint64) int { return int(s.mix(path...) % 100) }

// uuid makes a version-4-shaped UUID from the seed and path.
func (s *scale) uuid(path ...uint64) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], s.mix(append(path, 1)...))
	binary.BigEndian.PutUint64(b[8:], s.mix(append(path, 2)...))
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Tags of the paths mix draws from, one per kind of thing.
const (
	tagProvider = iota + 1
	tagUser
	tagCampaign
	tagAssessment
	tagAnswer
	tagFinding
	tagFiller
)

func (s *scale) run(ctx context.Context) error {
	rows, err := s.b.Query(ctx, `select (select count(*) from providers) + (select count(*) from campaigns)`)
	if err != nil {
		return err
	}
	taken, err := pgx.CollectExactlyOneRow(rows, pgx.RowTo[int64])
	if err != nil {
		return err
	}
	if taken > 0 {
		return domain.Errorf(domain.EConflict, "the database already has providers or campaigns; seed scale fills an empty one")
	}
	if s.fwKey, s.fw, s.ordinals, err = s.b.Framework(ctx, store.FrameworkRef{ID: "x1150"}); err != nil {
		return err
	}
	s.system = domain.System("seed-scale")
	steps := []struct {
		what string
		fn   func(context.Context) error
	}{
		{"providers", s.loadProviders},
		{"users", s.loadUsers},
		{"campaigns", s.loadCampaigns},
	}
	for _, st := range steps {
		if err := st.fn(ctx); err != nil {
			return fmt.Errorf("seed %s: %w", st.what, err)
		}
	}
	for k := range s.campaigns {
		if err := s.loadCampaign(ctx, k); err != nil {
			return fmt.Errorf("seed campaign %d: %w", k+1, err)
		}
	}
	return s.writeEvents(ctx)
}

var (
	scaleKinds = []struct {
		kind   domain.ProviderKind
		weight int
		prefix string
		suffix string
	}{
		{domain.KindBank, 15, "BNK", "Bank plc"},
		{domain.KindMobileMoneyOperator, 10, "MMO", "Mobile Money Ltd"},
		{domain.KindPSP, 20, "PSP", "Payments Ltd"},
		{domain.KindEMI, 15, "EMI", "E-Money Ltd"},
		{domain.KindMFI, 15, "MFI", "Microfinance Bank"},
		{domain.KindFintech, 15, "FTH", "Fintech Ltd"},
		{domain.KindAgentNetwork, 7, "ANO", "Agent Network Ltd"},
		{domain.KindPaymentSwitch, 3, "PSW", "Payment Switch"},
	}
	scaleWords = []string{"Amani", "Baraka", "Cedar", "Delta", "Equator", "Faraja", "Granite", "Harambee", "Imani",
		"Jua", "Kilele", "Lango", "Mwangaza", "Nuru", "Orbit", "Pwani", "Rafiki", "Savanna", "Tumaini", "Umoja",
		"Vuka", "Wema", "Zawadi", "Atlas", "Boreal", "Cobalt", "Dune", "Ember", "Fjord", "Horizon"}
)

func (s *scale) loadProviders(ctx context.Context) error {
	s.providers = make([]scaleProvider, s.spec.Providers)
	applicable := map[string][]string{}
	for i := range s.providers {
		p := &s.providers[i]
		n := uint64(i)
		pick, at := s.pct(tagProvider, n, 1), 0
		k := scaleKinds[0]
		for _, c := range scaleKinds {
			if at += c.weight; pick < at {
				k = c
				break
			}
		}
		p.id, p.kind = s.uuid(tagProvider, n), k.kind
		word := scaleWords[s.mix(tagProvider, n, 2)%uint64(len(scaleWords))]
		p.legal = fmt.Sprintf("%s %s %05d", word, k.suffix, i+1)
		p.short = fmt.Sprintf("%s %05d", word, i+1)
		p.licence = fmt.Sprintf("%s-%06d", k.prefix, i+1)
		switch t := s.pct(tagProvider, n, 3); {
		case t < 10:
			p.tier = 1
		case t < 40:
			p.tier = 2
		default:
			p.tier = 3
		}
		for c, ch := range domain.Channels {
			if s.pct(tagProvider, n, 4, uint64(c)) < 40 {
				p.channels = append(p.channels, ch)
			}
		}
		if len(p.channels) == 0 {
			p.channels = []string{domain.Channels[s.mix(tagProvider, n, 5)%uint64(len(domain.Channels))]}
		}
		p.strength = 15 + s.pct(tagProvider, n, 6)*80/100
		key := string(p.kind) + "|" + strings.Join(p.channels, ",")
		if applicable[key] == nil {
			applicable[key] = domain.ProfileOf(domain.Provider{Kind: p.kind, Channels: p.channels}).ApplicableControls(s.fw, "")
		}
		p.applicable = applicable[key]
	}
	start := s.spec.AsOf.AddDate(0, 0, -182*s.spec.Campaigns-60)
	i := 0
	n, err := s.b.Copy(ctx, "providers", []string{"id", "legal_name", "short_name", "licence_number", "kind", "tier",
		"channels", "contacts", "created_at", "updated_at"}, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(s.providers) {
			return nil, nil
		}
		p := &s.providers[i]
		i++
		contacts, _ := json.Marshal([]domain.Contact{{Name: "Compliance officer", Position: "Head of compliance",
			Email: fmt.Sprintf("compliance@p%05d.example", i)}})
		return []any{p.id, p.legal, p.short, p.licence, string(p.kind), p.tier, p.channels, string(contacts), start, start}, nil
	}))
	if err != nil {
		return err
	}
	s.sum.Providers = int(n)
	for i := range s.providers {
		p := &s.providers[i]
		s.event(start, s.system, "provider.create", "provider", p.id, p.id, map[string]any{
			"legal_name": p.legal, "licence_number": p.licence, "kind": p.kind, "tier": p.tier})
	}
	s.progress(fmt.Sprintf("%d providers", n))
	return nil
}

// userActor is the actor of a seeded user.
func userActor(id, email string, role domain.Role, provider string) domain.Actor {
	return domain.Actor{UserID: id, Email: email, Role: role, ProviderID: provider}
}

// providerUser returns the actor of provider i's admin (0) or editor (1).
func (s *scale) providerUser(i, which int) domain.Actor {
	role, name := domain.RoleProviderAdmin, "admin"
	if which == 1 {
		role, name = domain.RoleProviderEditor, "editor"
	}
	return userActor(s.uuid(tagUser, uint64(i), uint64(which)), fmt.Sprintf("p%05d-%s%s", i+1, name, scaleDomain),
		role, s.providers[i].id)
}

func (s *scale) loadUsers(ctx context.Context) error {
	hash, err := domain.HashPassword(ScalePassword)
	if err != nil {
		return err
	}
	type user struct {
		a    domain.Actor
		name string
	}
	var users []user
	for k, name := range []string{"Supervisor One", "Supervisor Two", "Supervisor Three"} {
		s.sups[k] = userActor(s.uuid(tagUser, 1<<40, uint64(k)), fmt.Sprintf("supervisor%d%s", k+1, scaleDomain),
			domain.RoleSupervisor, "")
		users = append(users, user{s.sups[k], name})
	}
	s.auditor = userActor(s.uuid(tagUser, 1<<40, 9), "auditor"+scaleDomain, domain.RoleAuditor, "")
	users = append(users, user{s.auditor, "Sector Auditor"})
	for i := range s.providers {
		users = append(users, user{s.providerUser(i, 0), s.providers[i].short + " administrator"},
			user{s.providerUser(i, 1), s.providers[i].short + " compliance officer"})
	}
	at := s.spec.AsOf.AddDate(0, 0, -182*s.spec.Campaigns-59)
	i := 0
	n, err := s.b.Copy(ctx, "users", []string{"id", "email", "name", "role", "provider_id", "password_hash",
		"password_changed_at", "created_at", "updated_at"}, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(users) {
			return nil, nil
		}
		u := users[i]
		i++
		var provider any
		if u.a.ProviderID != "" {
			provider = u.a.ProviderID
		}
		return []any{u.a.UserID, u.a.Email, u.name, string(u.a.Role), provider, hash, at, at, at}, nil
	}))
	if err != nil {
		return err
	}
	s.sum.Users = int(n)
	for _, u := range users {
		s.event(at, s.system, "user.create", "user", u.a.UserID, u.a.ProviderID, map[string]any{
			"email": u.a.Email, "role": u.a.Role})
	}
	s.progress(fmt.Sprintf("%d users", n))
	return nil
}

func (s *scale) loadCampaigns(ctx context.Context) error {
	k := s.spec.Campaigns
	s.campaigns = make([]scaleCampaign, k)
	for i := range s.campaigns {
		c := &s.campaigns[i]
		c.opens = s.spec.AsOf.AddDate(0, 0, -182*(k-1-i)-30)
		c.due = c.opens.AddDate(0, 0, 90)
		c.open = i == k-1
		half := 1
		if c.opens.Month() > 6 {
			half = 2
		}
		c.id = s.uuid(tagCampaign, uint64(i))
		c.name = fmt.Sprintf("%d H%d DFS security self-assessment (scale %d)", c.opens.Year(), half, i+1)
	}
	i := 0
	_, err := s.b.Copy(ctx, "campaigns", []string{"id", "name", "framework", "opens_at", "due_at", "instructions",
		"status", "created_by", "created_at", "updated_at", "opened_at", "closed_at", "version"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(s.campaigns) {
				return nil, nil
			}
			c := &s.campaigns[i]
			i++
			created := c.opens.AddDate(0, 0, -14)
			status, version, closed := "open", 2, any(nil)
			if !c.open {
				status, version, closed = "closed", 3, c.due.AddDate(0, 0, 75)
			}
			return []any{c.id, c.name, s.fwKey, c.opens, c.due, "Answer every applicable control with evidence.",
				status, s.sups[0].UserID, created, created, c.opens.Add(-time.Hour), closed, version}, nil
		}))
	if err != nil {
		return err
	}
	s.sum.Campaigns = len(s.campaigns)
	s.progress(fmt.Sprintf("%d campaigns", len(s.campaigns)))
	return nil
}

// state draws an assessment's state: closed campaigns are mostly decided,
// the open one spread over the whole workflow.
func (s *scale) state(k, i int) domain.AssessmentStatus {
	u := s.pct(tagAssessment, uint64(k), uint64(i), 1)
	if !s.campaigns[k].open {
		switch {
		case u < 78:
			return domain.StatusApproved
		case u < 84:
			return domain.StatusRejected
		case u < 89:
			return domain.StatusChangesRequested
		case u < 94:
			return domain.StatusInReview
		case u < 97:
			return domain.StatusSubmitted
		}
		return domain.StatusDraft
	}
	switch {
	case u < 35:
		return domain.StatusDraft
	case u < 55:
		return domain.StatusSubmitted
	case u < 70:
		return domain.StatusInReview
	case u < 80:
		return domain.StatusChangesRequested
	case u < 93:
		return domain.StatusApproved
	}
	return domain.StatusRejected
}

// answer draws assessment (k, i)'s response to control number c; a draft
// leaves some unanswered.
func (s *scale) answer(a *scaleAssessment, c int, control string) domain.Response {
	path := []uint64{tagAnswer, uint64(a.index), uint64(a.pi), uint64(c)}
	r := domain.Response{ControlID: control}
	if a.status == domain.StatusDraft && s.pct(append(path, 1)...) >= 60 {
		return r
	}
	strength := min(97, a.p.strength+4*a.index)
	u := s.pct(append(path, 2)...)
	maturity := func(lo, hi int) *int { m := lo + int(s.mix(append(path, 3)...)%uint64(hi-lo+1)); return &m }
	remediation := domain.DateOf(a.c.due.AddDate(0, 0, 90+int(s.mix(append(path, 4)...)%270)))
	switch {
	case u < 4:
		r.Status, r.Justification = domain.NotApplicable, "The service this control protects is not offered."
	case u < strength:
		r.Status, r.Maturity = domain.Implemented, maturity(3, 5)
		r.Narrative = "In place and reviewed at least once a year; see the policy and the last test report."
	case u < strength+(100-strength)/2:
		r.Status, r.Maturity, r.RemediationDate = domain.Partial, maturity(1, 3), &remediation
		r.Narrative = "Partly in place; the remaining systems are covered by the plan."
	default:
		r.Status, r.Maturity, r.RemediationDate = domain.NotImplemented, maturity(0, 1), &remediation
		r.Narrative = "Not yet in place; budgeted in the security programme."
	}
	return r
}

// verdict draws the supervisor's verdict on a filed answer, as far as the
// review of the assessment has gone.
func (s *scale) verdict(a *scaleAssessment, c int, r domain.Response) domain.Verdict {
	if r.Status == "" {
		return ""
	}
	u := s.pct(tagAnswer, uint64(a.index), uint64(a.pi), uint64(c), 9)
	switch a.status {
	case domain.StatusApproved:
		return domain.Accepted
	case domain.StatusInReview:
		if u < 45 {
			return domain.Accepted
		} else if u < 50 {
			return domain.NeedsInfo
		}
	case domain.StatusChangesRequested:
		if u < 85 {
			return domain.Accepted
		}
		return domain.NeedsInfo
	case domain.StatusRejected:
		if u < 60 {
			return domain.Accepted
		}
		return domain.Rejected
	}
	return ""
}

// loadCampaign copies one campaign's assessments, responses, filings,
// transitions and findings, and queues its events.
func (s *scale) loadCampaign(ctx context.Context, k int) error {
	c := &s.campaigns[k]
	list := make([]scaleAssessment, len(s.providers))
	s.event(c.opens.AddDate(0, 0, -14), s.sups[0], "campaign.create", "campaign", c.id, "", map[string]any{"name": c.name})
	for i := range list {
		a := &list[i]
		a.id, a.campaign, a.c, a.p, a.index, a.pi = s.uuid(tagAssessment, uint64(k), uint64(i)), c.id, c, &s.providers[i], k, i
		a.status = s.state(k, i)
		span := int(c.due.Sub(c.opens).Hours() / 24)
		a.submittedAt = c.opens.AddDate(0, 0, 3+int(s.mix(tagAssessment, uint64(k), uint64(i), 2)%uint64(span-5))).
			Add(time.Duration(s.mix(tagAssessment, uint64(k), uint64(i), 3)%36000) * time.Second).Add(8 * time.Hour)
		a.reviewedAt = a.submittedAt.AddDate(0, 0, 2+int(s.mix(tagAssessment, uint64(k), uint64(i), 4)%10))
		a.decidedAt = a.reviewedAt.AddDate(0, 0, 3+int(s.mix(tagAssessment, uint64(k), uint64(i), 5)%12))
		if c.open {
			// In the open campaign nothing has happened after today.
			for _, t := range []*time.Time{&a.submittedAt, &a.reviewedAt, &a.decidedAt} {
				if t.After(s.spec.AsOf) {
					*t = s.spec.AsOf.Add(-time.Duration(1+s.mix(tagAssessment, uint64(k), uint64(i), 6)%3000) * time.Minute)
				}
			}
			if a.reviewedAt.Before(a.submittedAt) {
				a.reviewedAt = a.submittedAt.Add(time.Minute)
			}
			if a.decidedAt.Before(a.reviewedAt) {
				a.decidedAt = a.reviewedAt.Add(time.Minute)
			}
		}
	}
	opened := c.opens.Add(-time.Hour)
	s.event(opened, s.sups[0], "campaign.open", "campaign", c.id, "", map[string]any{"assessments": len(list)})

	// Assessments.
	i := 0
	if _, err := s.b.Copy(ctx, "assessments", []string{"id", "campaign_id", "provider_id", "framework", "status",
		"submissions", "created_at", "updated_at", "submitted_at", "decided_at", "decided_by", "version",
		"provider_kind", "provider_tier", "provider_channels"}, pgx.CopyFromFunc(func() ([]any, error) {
		if i == len(list) {
			return nil, nil
		}
		a := &list[i]
		i++
		subs, submitted, decided, by, updated, version := 0, any(nil), any(nil), any(nil), opened, 1
		if a.status != domain.StatusDraft {
			subs, submitted, updated, version = 1, a.submittedAt, a.submittedAt, 2
			if a.status != domain.StatusSubmitted {
				updated, version = a.reviewedAt, 3
			}
			if a.status.Final() || a.status == domain.StatusChangesRequested {
				decided, updated, version = a.decidedAt, a.decidedAt, 4
				by = s.sups[1].UserID
			}
		}
		return []any{a.id, a.campaign, a.p.id, s.fwKey, string(a.status), subs, opened, updated, submitted, decided, by,
			version, string(a.p.kind), a.p.tier, a.p.channels}, nil
	})); err != nil {
		return err
	}
	s.sum.Assessments += len(list)
	for i := range list {
		a := &list[i]
		s.event(opened, s.sups[0], "assessment.create", "assessment", a.id, a.p.id,
			map[string]any{"campaign_id": c.id, "applicable_controls": len(a.p.applicable)})
	}

	// Responses, with their verdicts.
	ai, ci := 0, 0
	n, err := s.b.Copy(ctx, "responses", []string{"assessment_id", "framework", "control_id", "ordinal", "status",
		"maturity", "narrative", "remediation_date", "justification", "updated_at", "updated_by", "verdict",
		"verdict_by", "verdict_at", "version"}, pgx.CopyFromFunc(func() ([]any, error) {
		for ai < len(list) && ci == len(list[ai].p.applicable) {
			ai, ci = ai+1, 0
		}
		if ai == len(list) {
			return nil, nil
		}
		a := &list[ai]
		cid := a.p.applicable[ci]
		r := s.answer(a, ci, cid)
		v := s.verdict(a, ci, r)
		ci++
		row := []any{a.id, s.fwKey, cid, s.ordinals[cid], nil, nil, r.Narrative, nil, r.Justification, opened, nil, nil,
			nil, nil, 1}
		if r.Status != "" {
			editor := s.providerUser(a.pi, 1)
			row[4], row[9], row[10], row[14] = string(r.Status), a.submittedAt.Add(-48*time.Hour), editor.UserID, 2
			if r.Maturity != nil {
				row[5] = *r.Maturity
			}
			if r.RemediationDate != nil {
				row[7] = r.RemediationDate.Time()
			}
		}
		if v != "" {
			row[11], row[12], row[13], row[14] = string(v), s.sups[0].UserID, a.reviewedAt, 3
		}
		return row, nil
	}))
	if err != nil {
		return err
	}
	s.sum.Responses += int(n)

	// Filings, sealed as Submit seals them.
	var filed []*scaleAssessment
	for i := range list {
		if list[i].status != domain.StatusDraft {
			filed = append(filed, &list[i])
		}
	}
	fi := 0
	if _, err := s.b.Copy(ctx, "submissions", []string{"assessment_id", "version", "submitted_at", "submitted_by",
		"late", "attestation", "content", "seal_sha256"}, pgx.CopyFromFunc(func() ([]any, error) {
		if fi == len(filed) {
			return nil, nil
		}
		a := filed[fi]
		fi++
		editor := s.providerUser(a.pi, 1)
		att := domain.Attestation{Name: a.p.short + " compliance officer", Position: "Head of compliance",
			Statement: "The answers are complete and accurate to the best of my knowledge."}
		snap := domain.Snapshot{AssessmentID: a.id, ProviderID: a.p.id, CampaignID: c.id, Version: 1,
			SubmittedAt: a.submittedAt.UTC().Format("2006-01-02T15:04:05.000000Z"), SubmittedBy: editor.Email,
			Attestation: att, Responses: make([]domain.SnapshotResponse, 0, len(a.p.applicable))}
		for ci, cid := range a.p.applicable {
			r := s.answer(a, ci, cid)
			sr := domain.SnapshotResponse{ControlID: cid, Status: r.Status, Maturity: r.Maturity, Narrative: r.Narrative,
				Justification: r.Justification, Evidence: []domain.SnapshotEvidence{}}
			if r.RemediationDate != nil {
				sr.RemediationDate = r.RemediationDate.String()
			}
			snap.Responses = append(snap.Responses, sr)
		}
		content, err := json.Marshal(snap)
		if err != nil {
			return nil, err
		}
		seal, err := domain.SealOf(content)
		if err != nil {
			return nil, err
		}
		attJSON, _ := json.Marshal(att)
		s.event(a.submittedAt, editor, "assessment.submit", "assessment", a.id, a.p.id, map[string]any{
			"submission": 1, "seal_sha256": seal, "late": false, "attestation": att, "from": "draft", "to": "submitted"})
		return []any{a.id, 1, a.submittedAt, editor.UserID, false, string(attJSON), string(content), seal}, nil
	})); err != nil {
		return err
	}
	s.sum.Submissions += len(filed)

	// Transitions, with their events.
	type step struct {
		a        *scaleAssessment
		from, to domain.AssessmentStatus
		by       domain.Actor
		at       time.Time
		reason   string
	}
	var steps []step
	for _, a := range filed {
		editor := s.providerUser(a.pi, 1)
		steps = append(steps, step{a, domain.StatusDraft, domain.StatusSubmitted, editor, a.submittedAt, ""})
		if a.status == domain.StatusSubmitted {
			continue
		}
		steps = append(steps, step{a, domain.StatusSubmitted, domain.StatusInReview, s.sups[0], a.reviewedAt, ""})
		switch a.status {
		case domain.StatusApproved:
			steps = append(steps, step{a, domain.StatusInReview, a.status, s.sups[1], a.decidedAt, ""})
		case domain.StatusRejected:
			steps = append(steps, step{a, domain.StatusInReview, a.status, s.sups[1], a.decidedAt,
				"Too many controls are missing for the service offered."})
		case domain.StatusChangesRequested:
			steps = append(steps, step{a, domain.StatusInReview, a.status, s.sups[1], a.decidedAt,
				"Please add evidence for the answers marked as needing information."})
		}
	}
	si := 0
	if _, err := s.b.Copy(ctx, "assessment_transitions", []string{"assessment_id", "from_status", "to_status",
		"actor_id", "at", "reason"}, pgx.CopyFromFunc(func() ([]any, error) {
		if si == len(steps) {
			return nil, nil
		}
		st := steps[si]
		si++
		if st.from != domain.StatusDraft { // the submit event is queued with its filing
			action := map[domain.AssessmentStatus]string{domain.StatusInReview: "start_review",
				domain.StatusApproved: "approve", domain.StatusRejected: "reject",
				domain.StatusChangesRequested: "request_changes"}[st.to]
			s.event(st.at, st.by, "assessment."+action, "assessment", st.a.id, st.a.p.id, map[string]any{
				"from": st.from, "to": st.to, "reason": st.reason})
		}
		return []any{st.a.id, string(st.from), string(st.to), st.by.UserID, st.at, st.reason}, nil
	})); err != nil {
		return err
	}

	if err := s.loadFindings(ctx, k, filed); err != nil {
		return err
	}

	ids := make([]string, len(list))
	for i := range list {
		ids[i] = list[i].id
	}
	for start := 0; start < len(ids); start += 500 {
		if err := s.b.RefreshScores(ctx, ids[start:min(start+500, len(ids))]); err != nil {
			return err
		}
	}
	if !c.open {
		s.event(c.due.AddDate(0, 0, 75), s.sups[0], "campaign.close", "campaign", c.id, "", map[string]any{"assessments": len(list)})
	}
	s.filler(k, list)
	s.progress(fmt.Sprintf("campaign %d of %d: %d assessments, %d responses", k+1, len(s.campaigns), len(list), n))
	return s.flushEvents(ctx, c.opens.AddDate(0, 0, 182-30))
}

var severities = []string{"low", "medium", "high", "critical"}

// loadFindings raises findings on some reviewed assessments, on controls
// answered with a gap; older campaigns' findings are mostly closed, a few
// left open past their due date.
func (s *scale) loadFindings(ctx context.Context, k int, filed []*scaleAssessment) error {
	type finding struct {
		id, control, severity, status string
		a                             *scaleAssessment
		due                           time.Time
	}
	var list []finding
	for _, a := range filed {
		if a.status == domain.StatusSubmitted {
			continue
		}
		pi := uint64(a.pi)
		if s.pct(tagFinding, uint64(k), pi) >= (100-a.p.strength)*7/10 {
			continue
		}
		raised := 0
		for ci, cid := range a.p.applicable {
			if raised == 3 {
				break
			}
			r := s.answer(a, ci, cid)
			if !r.Status.Gap() || s.pct(tagFinding, uint64(k), pi, uint64(ci)) >= 8 {
				continue
			}
			f := finding{id: s.uuid(tagFinding, uint64(k), pi, uint64(ci)), control: cid, a: a,
				severity: severities[s.mix(tagFinding, uint64(k), pi, uint64(ci), 1)%4],
				due:      a.reviewedAt.AddDate(0, 0, 30+int(s.mix(tagFinding, uint64(k), pi, uint64(ci), 2)%150))}
			u := s.pct(tagFinding, uint64(k), pi, uint64(ci), 3)
			switch {
			case s.campaigns[k].open && u < 60, !s.campaigns[k].open && u < 8:
				f.status = "open"
			case s.campaigns[k].open || u < 20:
				f.status = "in_progress"
			case u < 45:
				f.status = "resolved"
			default:
				f.status = "verified"
			}
			list = append(list, f)
			raised++
		}
	}
	i := 0
	_, err := s.b.Copy(ctx, "findings", []string{"id", "assessment_id", "provider_id", "control_id", "title", "severity",
		"description", "due_at", "status", "remediation_plan", "created_by", "created_at", "updated_at", "version"},
		pgx.CopyFromFunc(func() ([]any, error) {
			if i == len(list) {
				return nil, nil
			}
			f := list[i]
			i++
			title := "Gap in control " + f.control
			s.event(f.a.reviewedAt, s.sups[0], "finding.create", "finding", f.id, f.a.p.id, map[string]any{
				"assessment_id": f.a.id, "control_id": f.control, "severity": f.severity, "title": title,
				"due_at": domain.DateOf(f.due).String()})
			return []any{f.id, f.a.id, f.a.p.id, f.control, title, f.severity,
				"The control is not fully in place for the services the provider offers.", domain.DateOf(f.due).Time(),
				f.status, "", s.sups[0].UserID, f.a.reviewedAt, f.a.reviewedAt, 1}, nil
		}))
	s.sum.Findings += len(list)
	return err
}

// filler adds the everyday events of a campaign — sign-ins and response
// edits before filing — so the trail reaches its size, spread over the
// campaigns in proportion.
func (s *scale) filler(k int, list []scaleAssessment) {
	want := s.spec.AuditEvents / len(s.campaigns)
	if k == len(s.campaigns)-1 {
		want = s.spec.AuditEvents - want*(len(s.campaigns)-1)
	}
	want -= len(s.events)
	c := &s.campaigns[k]
	for j := 0; j < want; j++ {
		u := s.mix(tagFiller, uint64(k), uint64(j))
		a := &list[u%uint64(len(list))]
		editor := s.providerUser(a.pi, 1)
		until := a.submittedAt
		if a.status == domain.StatusDraft {
			until = c.due
			if c.open {
				until = s.spec.AsOf
			}
		}
		span := until.Sub(c.opens)
		if span <= 0 {
			span = time.Hour
		}
		at := c.opens.Add(time.Duration(s.mix(tagFiller, uint64(k), uint64(j), 1) % uint64(span)))
		if u>>32%5 == 0 {
			s.event(at, editor, "session.login", "user", editor.UserID, a.p.id, map[string]any{"method": "password"})
			continue
		}
		cid := a.p.applicable[(u>>16)%uint64(len(a.p.applicable))]
		s.event(at, editor, "response.update", "response", a.id+"/"+cid, a.p.id, map[string]any{"control_id": cid})
	}
}

// event queues an event at a time.
func (s *scale) event(at time.Time, actor domain.Actor, action, objectType, objectID, providerID string, summary any) {
	e, err := domain.NewEvent(actor, action, objectType, objectID, providerID, summary)
	if err != nil {
		panic("seed scale: " + err.Error()) // summaries here are plain maps
	}
	e.At = at
	s.events = append(s.events, e)
}

// flushEvents writes the queued events that happened before until, in time
// order; later ones wait for the next campaign's.
func (s *scale) flushEvents(ctx context.Context, until time.Time) error {
	s.pending = append(s.pending, s.events...)
	s.events = nil
	sort.SliceStable(s.pending, func(i, j int) bool { return s.pending[i].At.Before(s.pending[j].At) })
	cut, _ := slices.BinarySearchFunc(s.pending, until, func(e domain.Event, t time.Time) int { return e.At.Compare(t) })
	if err := s.append(ctx, s.pending[:cut]); err != nil {
		return err
	}
	s.pending = slices.Clone(s.pending[cut:])
	return nil
}

func (s *scale) writeEvents(ctx context.Context) error {
	if err := s.flushEvents(ctx, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		return err
	}
	s.progress(fmt.Sprintf("%d audit events", s.sum.AuditEvents))
	return nil
}

func (s *scale) append(ctx context.Context, events []domain.Event) error {
	i := 0
	n, err := s.b.AppendEvents(ctx, func() (domain.Event, bool, error) {
		if i == len(events) {
			return domain.Event{}, false, nil
		}
		i++
		return events[i-1], true, nil
	})
	s.sum.AuditEvents += n
	return err
}
