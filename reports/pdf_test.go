package reports

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"assure/domain"
	"assure/frameworks"
)

// pdfFramework returns the built-in catalog.
func pdfFramework(tb testing.TB) *domain.Framework {
	tb.Helper()
	list, err := frameworks.Embedded()
	if err != nil {
		tb.Fatalf("frameworks.Embedded: %v", err)
	}
	if len(list) == 0 || list[0].ID != "x1150" {
		tb.Fatal("the first embedded framework is not x1150")
	}
	return list[0]
}

// pdfAnswer is the synthetic answer of the i-th applicable control,
// shifted by seed so that providers differ.
func pdfAnswer(i, seed int) domain.Answer {
	switch (i + seed) % 5 {
	case 0:
		return domain.Answer{Status: domain.Implemented, Verdict: domain.Accepted}
	case 1:
		return domain.Answer{Status: domain.Implemented}
	case 2:
		return domain.Answer{Status: domain.Partial}
	case 3:
		return domain.Answer{Status: domain.NotImplemented}
	}
	return domain.Answer{Status: domain.NotApplicable}
}

// pdfAnswers answers every control the profile must answer.
func pdfAnswers(f *domain.Framework, p domain.Profile, seed int) ([]string, map[string]domain.Answer) {
	ids := p.ApplicableControls(f)
	answers := map[string]domain.Answer{}
	for i, id := range ids {
		answers[id] = pdfAnswer(i, seed)
	}
	return ids, answers
}

var (
	pdfGeneratedAt = time.Date(2027, 4, 2, 9, 30, 0, 0, time.UTC)
	pdfCampaign    = domain.Campaign{ID: "c1", Name: "Campagne 2027 — cyber résilience", FrameworkID: "x1150",
		FrameworkVersion: "1.0", OpensAt: pdfDate("2027-01-15"), DueAt: pdfDate("2027-03-31"), Status: domain.CampaignOpen}
)

func pdfDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// pdfAssessmentFixture is a tier-1 mobile money operator's approved filing
// with an answer for every applicable control.
func pdfAssessmentFixture(tb testing.TB) AssessmentData {
	f := pdfFramework(tb)
	p := domain.Provider{ID: "p1", LegalName: "Société Générale Mobile", ShortName: "SG Mobile", LicenceNumber: "MMO-2027/014",
		Kind: domain.KindMobileMoneyOperator, Tier: 1, Channels: []string{domain.ChannelApp, domain.ChannelUSSD, domain.ChannelAgents},
		Status: domain.ProviderActive}
	profile := domain.ProfileOf(p)
	ids, answers := pdfAnswers(f, profile, 0)
	var responses []domain.Response
	for i, id := range ids {
		a := answers[id]
		r := domain.Response{AssessmentID: "a1", ControlID: id, Status: a.Status, Verdict: a.Verdict}
		for k := range i % 3 {
			r.EvidenceIDs = append(r.EvidenceIDs, fmt.Sprintf("e%d-%d", i, k))
		}
		responses = append(responses, r)
	}
	seal := sha256.Sum256([]byte("sealed snapshot"))
	decided := pdfGeneratedAt.Add(-24 * time.Hour)
	return AssessmentData{
		GeneratedAt: pdfGeneratedAt, GeneratedBy: "auditor@bceao.example",
		Provider: p, Campaign: pdfCampaign, Framework: f,
		Assessment: domain.Assessment{ID: "a1", CampaignID: "c1", ProviderID: "p1", Status: domain.StatusApproved,
			DueAt: pdfCampaign.DueAt, Submissions: 2, Applicable: len(ids), Answered: len(ids)},
		Submission: &SubmissionInfo{Version: 2, SubmittedAt: time.Date(2027, 3, 20, 16, 5, 0, 0, time.UTC),
			SubmittedBy: "ciso@sgmobile.example", Late: false, Seal: hex.EncodeToString(seal[:]), Verified: true,
			Attestation: domain.Attestation{Name: "Zoë Łukasiewicz", Position: "Directrice des risques",
				Statement: "I attest that these answers are true and complete to the best of my knowledge."}},
		DecidedBy: "supervisor@bceao.example", DecidedAt: &decided,
		Basis: "filed", Source: "approved", Tier: 1,
		Risk:      domain.AssessRisk(f, profile, 1, answers, nil),
		Responses: responses,
		Findings: []domain.Finding{{ID: "f1", ControlID: ids[3], Title: "Contrôle d'accès privilégié insuffisant",
			Severity: domain.SeverityHigh, DueAt: pdfDate("2027-06-30"), Status: domain.FindingOpen}},
	}
}

// pdfText returns the text pdftotext extracts from a PDF, pages separated
// by form feeds.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is not installed: install poppler-utils (apt-get install poppler-utils) to run the PDF tests")
	}
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v: %s", err, out)
	}
	return string(out)
}

// pdfSection returns the text between the line holding from and the next
// line holding to.
func pdfSection(t *testing.T, text, from, to string) string {
	t.Helper()
	start := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(from) + `\s*$`).FindStringIndex(text)
	end := regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(to) + `\s*$`).FindStringIndex(text)
	if start == nil || end == nil || end[0] < start[1] {
		t.Fatalf("no section %q … %q in the text", from, to)
	}
	return text[start[1]:end[0]]
}

func pdfCheckContains(t *testing.T, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF text lacks %q", w)
		}
	}
}

// pdfCheckPages checks that every page says "Page n of N".
func pdfCheckPages(t *testing.T, text string) int {
	t.Helper()
	n := strings.Count(text, "\f")
	for page := 1; page <= n; page++ {
		pdfCheckContains(t, text, fmt.Sprintf("Page %d of %d", page, n))
	}
	return n
}

// pdfCheckPageStarts checks that no page begins with a bare table or
// heatmap row: the first line under the running header must not match row.
func pdfCheckPageStarts(t *testing.T, text string, row *regexp.Regexp) {
	t.Helper()
	for n, page := range strings.Split(text, "\f") {
		var lines []string
		for _, l := range strings.Split(page, "\n") {
			if strings.TrimSpace(l) != "" {
				lines = append(lines, l)
			}
		}
		if len(lines) > 1 && row.MatchString(lines[1]) {
			t.Errorf("page %d starts with a row and no header: %q", n+1, lines[1])
		}
	}
}

// pdfCheckMatrix finds each likelihood row of a 5×5 matrix with its counts.
func pdfCheckMatrix(t *testing.T, text string, m [5][5]int) {
	t.Helper()
	for l := 5; l >= 1; l-- {
		pattern := fmt.Sprintf(`(?m)^\s*%d`, l)
		for i := range 5 {
			pattern += fmt.Sprintf(`\s+%d`, m[l-1][i])
		}
		if !regexp.MustCompile(pattern + `\s*$`).MatchString(text) {
			t.Errorf("no matrix row for likelihood %d with counts %v", l, m[l-1])
		}
	}
}

func TestAssessmentPDF(t *testing.T) {
	t.Parallel()
	d := pdfAssessmentFixture(t)
	var b bytes.Buffer
	if err := WriteAssessmentPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())

	// Overall compliance, worked from the answer pattern: quarters 4, 3, 2, 0
	// counted, not-applicable left out.
	ids := domain.ProfileOf(d.Provider).ApplicableControls(d.Framework)
	quarters, counted := 0, 0
	for i := range ids {
		q := []int{4, 3, 2, 0, -1}[i%5]
		if q >= 0 {
			quarters += q
			counted++
		}
	}
	overall := fmt.Sprintf("%.1f%%", 100*float64(quarters)/float64(4*counted))
	if !regexp.MustCompile(`Overall compliance\s+` + regexp.QuoteMeta(overall)).MatchString(text) {
		t.Errorf("overall compliance %s is not shown", overall)
	}

	pdfCheckContains(t, text, "Cyber security assessment report", "Société Générale Mobile", "SG Mobile", "MMO-2027/014",
		"mobile money operator, tier 1", "Campagne 2027 — cyber résilience", "opens 2027-01-15, due 2027-03-31",
		"approved", "version 2, submitted 2027-03-20 16:05 UTC", d.Submission.Seal, "verified", "Zoë Łukasiewicz",
		"Directrice des risques", "I attest that these answers", "approved by supervisor@bceao.example on 2027-04-01 09:30 UTC",
		"Generated 2027-04-02 09:30 UTC", "Numbers from the latest filing (submission 2, approved)",
		"Assure — SG Mobile — Campagne 2027 — cyber résilience", "Likelihood", "Impact", "critical (20–25)",
		"Contrôle d'accès privilégié insuffisant", d.Framework.Dimensions[0].Name, d.Framework.Stages[1].Name)
	if n := pdfCheckPages(t, text); n < 4 {
		t.Errorf("%d pages; want a cover, a summary and the controls at least", n)
	}
	// The matrix counts applicable threats by residual L1 × I1, all of them.
	var matrix [5][5]int
	applicable := 0
	for _, tr := range d.Risk.Threats {
		if tr.Applicable {
			matrix[tr.L1-1][tr.I1-1]++
			applicable++
		}
	}
	pdfCheckMatrix(t, text, matrix)
	if applicable == 0 || !regexp.MustCompile(fmt.Sprintf(`Applicable threats\s+%d of %d`, applicable, len(d.Framework.Threats))).MatchString(text) {
		t.Errorf("the summary does not count %d applicable threats", applicable)
	}

	// The top threat by residual score is named in the summary.
	top := slices.MaxFunc(slices.DeleteFunc(slices.Clone(d.Risk.Threats), func(t domain.ThreatRisk) bool { return !t.Applicable }),
		func(a, b domain.ThreatRisk) int { return cmp.Compare(a.Score, b.Score) })
	summary := pdfSection(t, text, "Highest residual risks", "Residual risk matrix")
	if !regexp.MustCompile(`(?m)^\s*` + top.ThreatID + `\s+\S.*\s` + fmt.Sprint(top.Score) + `\s+` + string(top.Level)).MatchString(summary) {
		t.Errorf("the top threat %s (%d, %s) is not in the summary:\n%s", top.ThreatID, top.Score, top.Level, summary)
	}

	// Every applicable control appears exactly once in the control table.
	controls := pdfSection(t, text, "Controls by threat", "Findings")
	seen := map[string]int{}
	for _, id := range regexp.MustCompile(`\bC\d+\b`).FindAllString(controls, -1) {
		seen[id]++
	}
	for _, id := range ids {
		if seen[id] != 1 {
			t.Errorf("control %s appears %d times in the control table", id, seen[id])
		}
	}
	if len(seen) != len(ids) {
		t.Errorf("the control table lists %d controls, want %d", len(seen), len(ids))
	}
	pdfCheckPageStarts(t, text, regexp.MustCompile(`^\s*C\d+\s`))
}

func TestAssessmentPDFWithoutFiling(t *testing.T) {
	t.Parallel()
	d := pdfAssessmentFixture(t)
	d.Submission, d.DecidedAt, d.DecidedBy, d.Findings = nil, nil, "", nil
	d.Assessment.Status, d.Basis, d.Source = domain.StatusDraft, "current", "draft"
	d.Provider.LegalName = "Ελληνική Τράπεζα Πληρωμών"
	d.Risk = domain.AssessRisk(d.Framework, domain.ProfileOf(d.Provider), 1, map[string]domain.Answer{}, nil)
	var b bytes.Buffer
	if err := WriteAssessmentPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	pdfCheckContains(t, text, "Ελληνική Τράπεζα Πληρωμών", "not submitted", "No findings.", "n/a (no control counts yet)",
		"Numbers from the assessment as it stands (draft)")
	pdfCheckPages(t, text)
	if err := WriteAssessmentPDF(io.Discard, AssessmentData{}); err == nil {
		t.Error("a report without a framework was written")
	}
}

// pdfSectorFixture builds a campaign over n providers, a sixth of which have
// not filed and another sixth filed late.
func pdfSectorFixture(tb testing.TB, n int) SectorData {
	f := pdfFramework(tb)
	special := []string{"Banco de Crédito del Sur", "Crédit Rural Coopératif", "Łódź Pay", "Ελληνική Πληρωμή"}
	kinds := []domain.ProviderKind{domain.KindBank, domain.KindMobileMoneyOperator, domain.KindPSP, domain.KindEMI,
		domain.KindAgentNetwork}
	channels := [][]string{{domain.ChannelApp}, {domain.ChannelUSSD, domain.ChannelAgents}, {domain.ChannelCards, domain.ChannelQR}}
	d := SectorData{GeneratedAt: pdfGeneratedAt, GeneratedBy: "supervisor@bceao.example", Campaign: pdfCampaign,
		Framework: f, Basis: "filed"}
	for i := range n {
		name := fmt.Sprintf("Provider %04d", i)
		if i < len(special) {
			name = special[i]
		}
		p := domain.Provider{Kind: kinds[i%len(kinds)], Tier: 1 + i%3, Channels: channels[i%len(channels)]}
		sp := SectorProvider{ProviderID: fmt.Sprint("p", i), Name: name, LegalName: name + " S.A.",
			Licence: fmt.Sprintf("LIC-%04d", i), Kind: p.Kind, Tier: p.Tier, AssessmentID: fmt.Sprint("a", i)}
		switch i % 6 {
		case 5:
			sp.Status, sp.Filing = domain.StatusDraft, NotFiled
			d.MatrixMissing++
		default:
			sp.Status, sp.Filing = domain.StatusSubmitted, FiledOnTime
			if i%6 == 4 {
				sp.Filing = FiledLate
			}
			at := pdfGeneratedAt.Add(-time.Duration(i) * time.Hour)
			sp.SubmittedAt = &at
			_, answers := pdfAnswers(f, domain.ProfileOf(p), i)
			r := domain.AssessRisk(f, domain.ProfileOf(p), p.Tier, answers, nil)
			sp.Source, sp.Dimensions, sp.Stages = "submitted", map[string]*float64{}, domain.WorstLevelByStage(f, r)
			for _, c := range r.Compliance {
				if v, ok := c.Value(); ok && c.Facet == domain.FacetDimension {
					sp.Dimensions[c.Key] = &v
				}
			}
			m := pdfResidualMatrix(r)
			for l := range 5 {
				for k := range 5 {
					d.Matrix[l][k] += m[l][k]
				}
			}
			d.MatrixProviders++
			d.Priorities = append(d.Priorities, PriorityRow{Name: name, Kind: p.Kind, Tier: p.Tier,
				Priority: float64(1000 - i), RiskIndex: 40, Filed: true, TopThreats: []string{"T10 (16, high)"},
				WorstDimensions: []string{"Authentication 35%"}})
		}
		d.Providers = append(d.Providers, sp)
	}
	for i := range d.Priorities {
		d.Priorities[i].Rank = i + 1
	}
	d.Overdue = []domain.Finding{{ProviderName: special[1], ControlID: "C12", Title: "Journalisation incomplète",
		Severity: domain.SeverityCritical, DueAt: pdfDate("2027-02-28"), Status: domain.FindingInProgress}}
	return d
}

func TestSectorPDF(t *testing.T) {
	t.Parallel()
	d := pdfSectorFixture(t, 60)
	var b bytes.Buffer
	if err := WriteSectorPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	pdfCheckPages(t, text)
	pdfCheckContains(t, text, "Sector cyber security report", "Campagne 2027 — cyber résilience", "x1150 1.0",
		"opens 2027-01-15, due 2027-03-31", "Numbers from each provider's latest filing", "Generated 2027-04-02 09:30 UTC",
		"over 50 providers; 10 providers have no numbers", "Journalisation incomplète",
		"Providers × security dimensions (continued)", "Providers × value-chain stages (continued)")
	for _, want := range []string{`Providers in scope\s+60`, `Filed on time\s+40`, `Filed late\s+10`, `Not filed\s+10`} {
		if !regexp.MustCompile(want).MatchString(text) {
			t.Errorf("the cover lacks %s", want)
		}
	}
	pdfCheckMatrix(t, text, d.Matrix)
	dims := pdfSection(t, text, "Providers × security dimensions", "Providers × value-chain stages")
	for _, p := range d.Providers {
		if !strings.Contains(dims, p.Name+" (tier") {
			t.Errorf("the dimensions heatmap lacks %s", p.Name)
		}
	}
	if strings.Count(dims, d.Framework.Dimensions[0].Name) < 2 {
		t.Error("the dimensions heatmap does not repeat its column header")
	}
	pdfCheckPageStarts(t, text, regexp.MustCompile(`^\s*\d+\s+\S|\(tier \d\)|LIC-\d+`))
	priorities := pdfSection(t, text, "Supervisory priority", "Submission status")
	for _, p := range d.Priorities {
		if !strings.Contains(priorities, p.Name) {
			t.Errorf("the priority ranking lacks %s", p.Name)
		}
	}
	statuses := pdfSection(t, text, "Submission status", "Overdue findings")
	for _, p := range d.Providers {
		if !strings.Contains(statuses, p.LegalName) {
			t.Errorf("the submission table lacks %s", p.LegalName)
		}
	}
}

func TestSectorPDFPagesThousandsOfProviders(t *testing.T) {
	t.Parallel()
	d := pdfSectorFixture(t, 3000)
	d.Overdue = nil
	var b bytes.Buffer
	if err := WriteSectorPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	text := pdfText(t, b.Bytes())
	if n := pdfCheckPages(t, text); n < 200 {
		t.Errorf("%d pages for 3000 providers", n)
	}
	pdfCheckContains(t, text, "Provider 2999 (tier", "No overdue findings.")
}

func BenchmarkAssessmentPDF(b *testing.B) {
	d := pdfAssessmentFixture(b)
	var size int64
	for b.Loop() {
		w := &pdfByteCounter{}
		if err := WriteAssessmentPDF(w, d); err != nil {
			b.Fatal(err)
		}
		size = w.n
	}
	b.ReportMetric(float64(size), "bytes/pdf")
}

// pdfByteCounter discards what it is given and counts the bytes.
type pdfByteCounter struct{ n int64 }

func (w *pdfByteCounter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return io.Discard.Write(p)
}
