// Package demo loads a small, believable sector into Assure — providers of
// every kind, users for every role, campaigns with assessments in every
// state, evidence and findings, incidents over the last months and a
// yearly campaign series — through the same store calls the API uses,
// so everything it creates is validated and audited. Loading it twice
// changes nothing.
package demo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	"assure/domain"
	"assure/store"
)

// Password is every demo user's password. Demo data is for local trials only.
const Password = "assure-demo-2027"

// Login is a demo user to print.
type Login struct {
	Email, Role, Provider string
}

type providerSpec struct {
	legal, short, licence string
	kind                  domain.ProviderKind
	tier                  int
	channels              []string
	strength              int    // 0–100: how well the provider answers
	state                 string // the assessment's state in the current campaign
}

var providers = []providerSpec{
	{"Banco de Crédito del Sur S.A.", "Banco de Crédito", "BNK-0001", domain.KindBank, 1, []string{"app", "ussd", "cards", "open_api"}, 88, "approved"},
	{"Société Générale Mobile Money", "SG Mobile Money", "MMO-0002", domain.KindMobileMoneyOperator, 1, []string{"app", "ussd", "stk", "agents"}, 70, "in_review"},
	{"Kopa Payments Ltd", "Kopa", "PSP-0003", domain.KindPSP, 2, []string{"open_api", "qr", "cards"}, 62, "submitted"},
	{"Nyota E-Money Ltd", "Nyota", "EMI-0004", domain.KindEMI, 2, []string{"app", "qr"}, 55, "changes_requested"},
	{"Imara Microfinance Bank", "Imara MFB", "MFI-0005", domain.KindMFI, 3, []string{"agents", "ussd"}, 40, "draft"},
	{"Jamii Fintech Ltd", "Jamii", "FTH-0006", domain.KindFintech, 3, []string{"app"}, 25, "rejected"},
	{"Mtandao Agent Network Ltd", "Mtandao Agents", "ANO-0007", domain.KindAgentNetwork, 2, []string{"agents", "qr"}, 58, "submitted"},
	{"National Payment Switch", "NatSwitch", "PSW-0008", domain.KindPaymentSwitch, 1, []string{"open_api", "cards"}, 91, "approved"},
	{"Crédit Rural Coopératif", "Crédit Rural", "MFI-0009", domain.KindMFI, 3, []string{"agents"}, 45, "submitted"},
	{"Atlas Commercial Bank plc", "Atlas Bank", "BNK-0010", domain.KindBank, 2, []string{"app", "cards"}, 76, "in_review"},
	{"Sahel Mobile Money SA", "Sahel MoMo", "MMO-0011", domain.KindMobileMoneyOperator, 2, []string{"ussd", "sms", "agents"}, 48, "changes_requested"},
	{"Pesa Wallet Ltd", "Pesa Wallet", "EMI-0012", domain.KindEMI, 3, []string{"app", "ussd"}, 35, "draft"},
}

const (
	currentCampaign  = "2027 H1 DFS security self-assessment"
	previousCampaign = "2026 H2 DFS security self-assessment"
	domainSuffix     = "@demo.assure.local"
)

// Load creates the demo sector, skipping whatever is already there, and
// returns the demo logins.
func Load(ctx context.Context, db *store.DB) ([]Login, error) {
	l := &loader{db: db, system: domain.System("demo")}
	return l.run(ctx)
}

type loader struct {
	db     *store.DB
	system domain.Actor
	logins []Login
}

func (l *loader) run(ctx context.Context) ([]Login, error) {
	sup1, err := l.user(ctx, "supervisor"+domainSuffix, "Grace Wanjiru", domain.RoleSupervisor, "", "")
	if err != nil {
		return nil, err
	}
	sup2, err := l.user(ctx, "supervisor2"+domainSuffix, "Moussa Diallo", domain.RoleSupervisor, "", "")
	if err != nil {
		return nil, err
	}
	if _, err := l.user(ctx, "auditor"+domainSuffix, "Priya Raman", domain.RoleAuditor, "", ""); err != nil {
		return nil, err
	}
	ids := map[string]string{}
	admins := map[string]domain.Actor{}
	for i, p := range providers {
		id, err := l.provider(ctx, p)
		if err != nil {
			return nil, err
		}
		ids[p.licence] = id
		slug := fmt.Sprintf("p%02d", i+1)
		admin, err := l.user(ctx, slug+"-admin"+domainSuffix, "Compliance lead, "+p.short, domain.RoleProviderAdmin, id, p.short)
		if err != nil {
			return nil, err
		}
		admins[p.licence] = admin
		if _, err := l.user(ctx, slug+"-editor"+domainSuffix, "Compliance officer, "+p.short, domain.RoleProviderEditor, id, p.short); err != nil {
			return nil, err
		}
	}

	// The previous cycle, past its due date: three providers approved, one never filed.
	today := domain.Today()
	prev, fresh, err := l.campaign(ctx, sup1, previousCampaign, []string{ids["BNK-0001"], ids["MMO-0002"], ids["PSW-0008"], ids["EMI-0012"]},
		today.AddDays(-200), today.AddDays(-30), "The second-half 2026 cycle.")
	if err != nil {
		return nil, err
	}
	if fresh {
		for _, lic := range []string{"BNK-0001", "MMO-0002", "PSW-0008"} {
			p := spec(lic)
			p.strength -= 15 // weaker then than now
			if err := l.drive(ctx, prev, ids[lic], p, "approved", admins[lic], sup1, sup2); err != nil {
				return nil, err
			}
		}
	}

	// The current cycle over every provider, with assessments in every state.
	cur, fresh, err := l.campaign(ctx, sup1, currentCampaign, nil, today.AddDays(-10), today.AddDays(20),
		"Answer every applicable control, attach your policies and test reports, and have your compliance lead attest the filing.")
	if err != nil {
		return nil, err
	}
	if fresh {
		for _, p := range providers {
			if err := l.drive(ctx, cur, ids[p.licence], p, p.state, admins[p.licence], sup1, sup2); err != nil {
				return nil, err
			}
		}
	}
	if err := l.incidents(ctx, admins, sup2); err != nil {
		return nil, err
	}
	if err := l.series(ctx, sup1, today); err != nil {
		return nil, err
	}
	return l.logins, nil
}

// seriesName is the demo's campaign series.
const seriesName = "Annual DFS security self-assessment"

// series starts the demo's yearly series over every provider unless it is
// there already. Its first campaign opens in the second half of the year,
// well after the current cycle is due, so nothing it makes crosses the
// campaigns above.
func (l *loader) series(ctx context.Context, sup domain.Actor, today domain.Date) error {
	list, err := store.All(func(p store.Page) ([]store.Series, string, error) { return l.db.CampaignSeriesList(ctx, sup, "", p) })
	if err != nil {
		return err
	}
	for _, s := range list {
		if s.Name == seriesName {
			return nil
		}
	}
	_, err = l.db.CreateCampaignSeries(ctx, sup, domain.CampaignSeries{Name: seriesName, FrameworkID: "x1150", EveryMonths: 12,
		FirstOpensOn: today.AddDays(200), DueAfterDays: 45, LeadDays: domain.DefaultSeriesLeadDays,
		Instructions: "The yearly cycle: answer every applicable control and attach this year's test reports."}, today)
	return err
}

func spec(licence string) providerSpec {
	for _, p := range providers {
		if p.licence == licence {
			return p
		}
	}
	panic("demo: no provider " + licence)
}

func (l *loader) provider(ctx context.Context, p providerSpec) (string, error) {
	list, _, err := l.db.Providers(ctx, l.system, store.ProviderFilter{Query: p.licence}, store.Page{Limit: 10})
	if err != nil {
		return "", err
	}
	for _, existing := range list {
		if existing.LicenceNumber == p.licence {
			return existing.ID, nil
		}
	}
	created, err := l.db.CreateProvider(ctx, l.system, domain.Provider{LegalName: p.legal, ShortName: p.short,
		LicenceNumber: p.licence, Kind: p.kind, Tier: p.tier, Channels: p.channels,
		Contacts: []domain.Contact{{Name: "Information security officer", Position: "CISO",
			Email: "ciso@" + strings.ToLower(strings.ReplaceAll(p.licence, "-", "")) + ".example"}}})
	return created.ID, err
}

func (l *loader) user(ctx context.Context, email, name string, role domain.Role, providerID, providerName string) (domain.Actor, error) {
	u, err := l.db.UserByEmail(ctx, email)
	if domain.ErrorCodeOf(err) == domain.ENotFound {
		u, err = l.db.CreateUser(ctx, l.system, store.NewUser{Email: email, Name: name, Role: role,
			ProviderID: providerID, Password: Password})
	}
	if err != nil {
		return domain.Actor{}, err
	}
	l.logins = append(l.logins, Login{Email: email, Role: string(role), Provider: providerName})
	return domain.ActorFor(u), nil
}

// campaign finds or creates and opens a campaign; fresh says it was created now.
func (l *loader) campaign(ctx context.Context, sup domain.Actor, name string, providerIDs []string, opens, due domain.Date,
	instructions string) (domain.Campaign, bool, error) {
	list, err := store.All(func(p store.Page) ([]domain.Campaign, string, error) { return l.db.Campaigns(ctx, sup, "", p) })
	if err != nil {
		return domain.Campaign{}, false, err
	}
	for _, c := range list {
		if c.Name == name {
			return c, false, nil
		}
	}
	c, err := l.db.CreateCampaign(ctx, sup, domain.Campaign{Name: name, FrameworkID: "x1150", ProviderIDs: providerIDs,
		OpensAt: opens, DueAt: due, Instructions: instructions})
	if err != nil {
		return c, false, err
	}
	c, err = l.db.OpenCampaign(ctx, sup, c.ID)
	return c, true, err
}

// drive takes a provider's assessment in a campaign to the target state the
// way people would: answers, evidence, submission, review, decision, findings.
func (l *loader) drive(ctx context.Context, c domain.Campaign, providerID string, p providerSpec, target string,
	admin, sup1, sup2 domain.Actor) error {
	list, _, err := l.db.Assessments(ctx, sup1, store.AssessmentFilter{CampaignID: c.ID, ProviderID: providerID}, store.Page{})
	if err != nil || len(list) != 1 {
		return fmt.Errorf("demo: assessment of %s: %v", p.short, err)
	}
	a := list[0]
	evidence, err := l.db.UploadEvidence(ctx, admin, a.ID, evidenceFiles(p))
	if err != nil {
		return err
	}
	responses, _, err := l.db.Responses(ctx, admin, a.ID, store.ResponseFilter{}, store.Page{Limit: store.MaxLimit})
	if err != nil {
		return err
	}
	var updates []store.ResponseUpdate
	for i, r := range responses {
		if target == "draft" && i%3 == 2 {
			continue // a draft is partly answered
		}
		updates = append(updates, store.ResponseUpdate{ControlID: r.ControlID, Version: r.Version,
			Input: answer(p, r.ControlID, evidence, c.DueAt)})
	}
	if _, err := l.db.SaveResponses(ctx, admin, a.ID, updates, "demo"); err != nil {
		return err
	}
	if err := l.profile(ctx, a, p, target, admin, sup1); err != nil {
		return err
	}
	if target == "draft" {
		return nil
	}
	att := domain.Attestation{Name: "Compliance lead, " + p.short, Position: "Head of Compliance",
		Statement: "I attest that this self-assessment is true and complete to the best of my knowledge."}
	if _, err := l.db.Submit(ctx, admin, a.ID, att); err != nil {
		return err
	}
	if target == "submitted" {
		return nil
	}
	if _, err := l.db.StartReview(ctx, sup1, a.ID, 0); err != nil {
		return err
	}
	var verdicts []store.VerdictInput
	for i, r := range responses {
		if target == "in_review" && i%2 == 1 {
			continue // review half done
		}
		v := store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Accepted}
		switch roll(p.short, r.ControlID, "verdict") {
		case 0, 1:
			if target != "approved" {
				v = store.VerdictInput{ControlID: r.ControlID, Verdict: domain.NeedsInfo, Comment: "Please attach the test report."}
			}
		case 2:
			if p.strength < 60 {
				v = store.VerdictInput{ControlID: r.ControlID, Verdict: domain.Rejected, Comment: "The narrative does not show the control operating."}
			}
		}
		verdicts = append(verdicts, v)
	}
	if _, err := l.db.SetVerdicts(ctx, sup1, a.ID, verdicts, "demo"); err != nil {
		return err
	}
	switch target {
	case "changes_requested":
		_, err = l.db.RequestChanges(ctx, sup1, a.ID, "Several controls need test reports; see the comments on each.", 0)
	case "rejected":
		_, err = l.db.Reject(ctx, sup1, a.ID, "The filing does not describe controls that operate; refile next cycle.", 0)
	case "approved":
		_, err = l.db.Approve(ctx, sup2, a.ID, "Well evidenced.", 0)
	}
	if err != nil {
		return err
	}
	return l.findings(ctx, a, p, target, admin, sup1, sup2, responses)
}

// findings raises a few findings on reviewed assessments and moves them along.
func (l *loader) findings(ctx context.Context, a domain.Assessment, p providerSpec, target string, admin, sup1, sup2 domain.Actor,
	responses []domain.Response) error {
	if target == "in_review" || len(responses) < 10 {
		return nil
	}
	today := domain.Today()
	plan := "Patch in the next release and retest."
	steps := []struct {
		control  string
		title    string
		severity domain.Severity
		due      int
		state    domain.FindingStatus
	}{
		{responses[0].ControlID, "Idle sessions stay open too long", domain.SeverityHigh, 30, domain.FindingInProgress},
		{responses[5].ControlID, "Privileged access not reviewed quarterly", domain.SeverityMedium, 60, domain.FindingOpen},
		{responses[9].ControlID, "No restore test of off-site backups", domain.SeverityCritical, 14, domain.FindingVerified},
	}
	for _, s := range steps {
		f, err := l.db.CreateFinding(ctx, sup1, store.NewFinding{AssessmentID: a.ID, ControlID: s.control, Title: s.title,
			Severity: s.severity, Description: s.title + " at " + p.short + ".", DueAt: today.AddDays(s.due)})
		if err != nil {
			return err
		}
		switch s.state {
		case domain.FindingInProgress:
			_, err = l.db.RespondToFinding(ctx, admin, f.ID, store.FindingResponse{RemediationPlan: &plan, Action: domain.FindingStart})
		case domain.FindingVerified:
			if _, err = l.db.RespondToFinding(ctx, admin, f.ID, store.FindingResponse{RemediationPlan: &plan,
				Note: "Restore tested on a copy of production.", Action: domain.FindingResolve}); err == nil {
				_, err = l.db.VerifyFinding(ctx, sup2, f.ID, "Restore log reviewed.")
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// answer makes a deterministic, plausible answer for a control: stronger
// providers implement more.
func answer(p providerSpec, control string, evidence []domain.Evidence, due domain.Date) domain.ResponseInput {
	n := roll(p.short, control, "status")*10 + roll(p.short, control, "fine")
	maturity := min(5, max(0, p.strength/20+roll(p.short, control, "maturity")%2-1))
	switch {
	case n < p.strength:
		in := domain.ResponseInput{Status: domain.Implemented, Maturity: &maturity,
			Narrative: "The control is in place, documented in our security policy and tested at least yearly."}
		if len(evidence) > 0 && n%3 == 0 {
			in.EvidenceIDs = []string{evidence[n%len(evidence)].ID}
		}
		return in
	case n < p.strength+15:
		return domain.ResponseInput{Status: domain.Partial, Maturity: &maturity, RemediationDate: due.AddDays(120).String(),
			Narrative: "In place for the main platform; the agent and USSD channels follow in the next release."}
	case n < p.strength+22 && n%2 == 0:
		return domain.ResponseInput{Status: domain.NotApplicable,
			Justification: "The service this control protects is run by our partner under contract."}
	}
	return domain.ResponseInput{Status: domain.NotImplemented, RemediationDate: due.AddDays(180).String(),
		Narrative: "Planned in the security roadmap approved by the board."}
}

// roll is a deterministic number 0–9 from its parts.
func roll(parts ...string) int {
	h := fnv.New32a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return int(h.Sum32() % 10)
}

func evidenceFiles(p providerSpec) []store.UploadFile {
	files := []struct{ name, mediaType, content string }{
		{"information-security-policy.txt", "text/plain", "Information security policy of " + p.legal +
			"\nApproved by the board.\n1. Access control\n2. Authentication\n3. Logging and monitoring\n"},
		{"privileged-access-review.csv", "text/csv", "account,role,reviewed_by,result\nsysadmin01,admin,CISO,kept\n" +
			"vendor-support,admin,CISO,removed\n"},
	}
	var out []store.UploadFile
	for _, f := range files {
		sum := sha256.Sum256([]byte(f.content))
		out = append(out, store.UploadFile{Filename: f.name, MediaType: f.mediaType, Size: int64(len(f.content)),
			SHA256: hex.EncodeToString(sum[:]), Content: strings.NewReader(f.content)})
	}
	return out
}

// profile states the provider's inherent-risk figures for the campaign,
// sized by its tier; a supervisor confirms them once the filing is past its
// first reading.
func (l *loader) profile(ctx context.Context, a domain.Assessment, p providerSpec, target string, admin, sup domain.Actor) error {
	size := map[int][]float64{ // customers, active accounts, transactions, value (millions), agents, third parties, interconnections, share
		1: {3_500_000, 2_100_000, 240_000_000, 18_000, 22_000, 24, 22, 28},
		2: {450_000, 260_000, 30_000_000, 2_400, 3_000, 9, 8, 6},
		3: {40_000, 18_000, 1_500_000, 90, 150, 3, 2, 0.6},
	}[p.tier]
	if !slices.Contains(p.channels, "agents") {
		size[4] = 0
	}
	figures := map[domain.Measure]float64{}
	for i, m := range []domain.Measure{domain.MeasureCustomers, domain.MeasureActiveAccounts, domain.MeasureTransactions,
		domain.MeasureTransactionValue, domain.MeasureAgents, domain.MeasureThirdParties, domain.MeasureInterconnections,
		domain.MeasureMarketShare} {
		figures[m] = size[i]
	}
	stated, err := l.db.SetRiskProfile(ctx, admin, a.ID, store.ProfileStated, domain.RiskProfile{Figures: figures},
		"From our 2026 annual report and the central bank's payment statistics.", 0)
	if err != nil || target == "draft" || target == "submitted" {
		return err
	}
	figures[domain.MeasureThirdParties]++ // the supervisor counts one more critical supplier
	_, err = l.db.SetRiskProfile(ctx, sup, a.ID, store.ProfileConfirmed, domain.RiskProfile{Figures: figures},
		fmt.Sprintf("Checked against the supervisory return; %d critical third parties, not %g.",
			int(figures[domain.MeasureThirdParties]), stated.Profile.Figures[domain.MeasureThirdParties]), 0)
	return err
}
