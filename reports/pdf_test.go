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
	"strconv"
	"strings"
	"testing"
	"time"

	"assure/domain"
	"assure/frameworks"
)

// pdfFramework returns the built-in catalog.
func pdfFramework(tb testing.TB) *domain.Framework {
	tb.Helper()
	f, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		tb.Fatal(err)
	}
	return f
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
	ids := p.ApplicableControls(f, "")
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
	reviewers := []string{"Kofi Mensah", "Awa Ndiaye"}
	for i, id := range ids {
		a := answers[id]
		r := domain.Response{AssessmentID: "a1", ControlID: id, Status: a.Status, Verdict: a.Verdict,
			Narrative: fmt.Sprintf("Narrative of %s: how the control works at SG Mobile.", id)}
		for k := range i % 3 {
			r.EvidenceIDs = append(r.EvidenceIDs, fmt.Sprintf("e%d-%d", i, k))
		}
		if a.Status == domain.Partial || a.Status == domain.NotImplemented {
			due := pdfDate("2027-09-30")
			r.RemediationDate = &due
		}
		if a.Status == domain.NotApplicable {
			r.Narrative, r.Justification = "", "The channel is not offered."
		}
		if a.Verdict != "" {
			at := time.Date(2027, 3, 25+i%2, 11, 0, 0, 0, time.UTC)
			r.VerdictByName, r.VerdictBy, r.VerdictAt = reviewers[i%2], "u"+fmt.Sprint(i%2), &at
			r.VerdictComment = fmt.Sprintf("Seen on site for %s.", id)
		}
		responses = append(responses, r)
	}
	// One narrative longer than a page, to be split between pages whole.
	var words []string
	for k := range 900 {
		words = append(words, fmt.Sprintf("word%03d", k))
	}
	responses[7].Narrative = strings.Join(words, " ")
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
		Risk:      domain.AssessRisk(f, nil, domain.RiskInputs{Profile: profile, Answers: answers}),
		Responses: responses,
		Findings: []domain.Finding{{ID: "f1", ControlID: ids[3], Title: "Contrôle d'accès privilégié insuffisant",
			Description: "Administrators share one account.", Severity: domain.SeverityHigh, DueAt: pdfDate("2027-06-30"),
			Status: domain.FindingOpen, RemediationPlan: "Named accounts with a vault by June."}},
		History: []StateChange{
			{From: domain.StatusDraft, To: domain.StatusSubmitted, By: "Amina Diallo", ByEmail: "ciso@sgmobile.example",
				At: time.Date(2027, 3, 20, 16, 5, 0, 0, time.UTC)},
			{From: domain.StatusSubmitted, To: domain.StatusInReview, By: "Kofi Mensah", ByEmail: "kofi@bceao.example",
				At: time.Date(2027, 3, 22, 9, 0, 0, 0, time.UTC)},
			{From: domain.StatusInReview, To: domain.StatusApproved, By: "Fatou Sarr", ByEmail: "supervisor@bceao.example",
				At: decided, Reason: "Sound filing; follow the access finding."},
		},
		Previous: &TrendPoint{CampaignID: "c0", CampaignName: "Campagne 2026", OpensAt: pdfDate("2026-01-15"),
			DueAt: pdfDate("2026-03-31"), Status: domain.StatusApproved, Source: "approved", Compliance: &pdfPreviousCompliance,
			Threats: 17, MaxScore: 20, MeanScore: 11.5, Levels: map[domain.RiskLevel]int{domain.LevelCritical: 2, domain.LevelHigh: 9}},
	}
}

var pdfPreviousCompliance = 0.412

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

// pdfPages returns the text of each page, read page by page with
// pdftotext, after qpdf has checked the file and counted its pages.
func pdfPages(t *testing.T, pdf []byte) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "report.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("qpdf", "--check", path).CombinedOutput(); err != nil {
		t.Fatalf("qpdf --check: %v: %s", err, out)
	}
	out, err := exec.Command("qpdf", "--show-npages", path).Output()
	if err != nil {
		t.Fatalf("qpdf --show-npages: %v", err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || n < 1 {
		t.Fatalf("qpdf counts %q pages", out)
	}
	pages := make([]string, n)
	for i := range pages {
		page := fmt.Sprint(i + 1)
		out, err := exec.Command("pdftotext", "-layout", "-enc", "UTF-8", "-f", page, "-l", page, path, "-").Output()
		if err != nil {
			t.Fatalf("pdftotext page %s: %v", page, err)
		}
		pages[i] = string(out)
	}
	return pages
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
		// The row may share its line with text beside the matrix.
		pattern := fmt.Sprintf(`(?m)(^|\s{2,})%d`, l)
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
	pages := pdfPages(t, b.Bytes())
	text := strings.Join(pages, "")

	// Overall compliance, worked from the answer pattern.
	ids := domain.ProfileOf(d.Provider).ApplicableControls(d.Framework, "")
	// Credit by answer (default calibration): implemented and accepted without
	// evidence 0.5 (self-attested), implemented unreviewed 0.3, partial
	// unreviewed 0.15, not implemented 0, and not applicable unaccepted 0: a
	// gap until a supervisor accepts it.
	credit := 0
	for i := range ids {
		credit += []int{50, 30, 15, 0, 0}[i%5]
	}
	overall := fmt.Sprintf("%.1f%%", float64(credit)/float64(len(ids)))
	if !regexp.MustCompile(`Overall compliance\s+` + regexp.QuoteMeta(overall)).MatchString(text) {
		t.Errorf("overall compliance %s is not shown", overall)
	}

	pdfCheckContains(t, text, "Cyber security assessment report", "Société Générale Mobile", "SG Mobile", "MMO-2027/014",
		"Mobile money operator, Tier 1 (systemic)", "Campagne 2027 — cyber résilience", "opens 15 January 2027, due 31 March 2027",
		"Approved", "version 2, submitted 20 March 2027 16:05 UTC", d.Submission.Seal, "verified", "Zoë Łukasiewicz",
		"Directrice des risques", "I attest that these answers",
		"Approved by Fatou Sarr (supervisor@bceao.example) on 1 April 2027 09:30 UTC", "Sound filing; follow the access finding.",
		"Generated 2 April 2027 09:30 UTC", "Numbers from the latest filing (submission 2, Approved)",
		"Assure — SG Mobile — Campagne 2027 — cyber résilience", "Likelihood", "Impact", "Critical (20–25)",
		"Contrôle d'accès privilégié insuffisant", "Named accounts with a vault by June.", "30 June 2027",
		d.Framework.Dimensions[0].Name, "Narrative of "+ids[0], "Seen on site for "+ids[0],
		"Justification: The channel is not offered.")
	pdfCheckWords(t, text, "remediation by 30 September 2027")
	if n := pdfCheckPages(t, text); n < 4 {
		t.Errorf("%d pages; want a cover, a summary and the controls at least", n)
	}
	// An approved assessment is not a draft: no page says so.
	for i, page := range pages {
		if strings.Contains(page, "DRAFT") {
			t.Errorf("page %d of an approved assessment's report is marked DRAFT", i+1)
		}
	}
	// Long names wrap in full: nothing is cut short with an ellipsis.
	if strings.Contains(text, "…") {
		t.Error("some text is cut with an ellipsis")
	}
	for _, s := range d.Framework.Stages {
		pdfCheckWords(t, text, s.Name)
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

	// The top threat by residual score is named in the summary table.
	top := slices.MaxFunc(slices.DeleteFunc(slices.Clone(d.Risk.Threats), func(t domain.ThreatRisk) bool { return !t.Applicable }),
		func(a, b domain.ThreatRisk) int { return cmp.Compare(a.Score, b.Score) })
	summary := pdfSection(t, text, "Highest residual risks", "Trend against the previous campaign")
	if !regexp.MustCompile(`(?m)^\s*` + top.ThreatID + `\s+\S.*\s` + fmt.Sprint(top.Score) + `\s+(?i:` + string(top.Level) + `)`).MatchString(summary) {
		t.Errorf("the top threat %s (%d, %s) is not in the summary:\n%s", top.ThreatID, top.Score, top.Level, summary)
	}

	// Every applicable threat has its table, and each table lists every
	// control its residual comes from, primary or secondary.
	controls := pdfSection(t, text, "Controls by threat", "Responses and verdicts")
	threatHead := regexp.MustCompile(`(?m)^\s*(T\d+) .* — residual \d+ \(\w+\)\s*$`)
	heads := threatHead.FindAllStringSubmatchIndex(controls, -1)
	tables := map[string]string{}
	for i, h := range heads {
		end := len(controls)
		if i+1 < len(heads) {
			end = heads[i+1][0]
		}
		tables[controls[h[2]:h[3]]] = controls[h[1]:end]
	}
	seen := map[string]bool{}
	for _, tr := range d.Risk.Threats {
		body, ok := tables[tr.ThreatID]
		if ok != tr.Applicable {
			t.Errorf("threat %s: applicable %v, has a table %v", tr.ThreatID, tr.Applicable, ok)
			continue
		}
		for _, c := range tr.Contributions {
			seen[c.ControlID] = true
			if !regexp.MustCompile(`(?m)^\s*` + c.ControlID + `\s`).MatchString(body) {
				t.Errorf("threat %s: control %s, which its residual counts, is not in its table", tr.ThreatID, c.ControlID)
			}
		}
		if ok && len(tr.Contributions) > 1 && !strings.Contains(body, "secondary") && !strings.Contains(body, "primary") {
			t.Errorf("threat %s does not say how its controls relate to it", tr.ThreatID)
		}
	}
	for _, id := range ids {
		if !regexp.MustCompile(`\b` + id + `\b`).MatchString(controls) {
			t.Errorf("applicable control %s is under no threat", id)
		}
	}
	if len(seen) == 0 {
		t.Fatal("no contributions in the fixture")
	}
	// Every response is in the response table, once.
	responses := pdfSection(t, text, "Responses and verdicts", "Findings")
	for _, id := range ids {
		if n := len(regexp.MustCompile(`(?m)^\s*`+id+`\s`).FindAllString(responses, -1)); n != 1 {
			t.Errorf("control %s starts %d rows of the response table", id, n)
		}
	}
	pdfCheckPageStarts(t, text, regexp.MustCompile(`^\s*C\d+\s`))

	// The sign-off names who prepared, reviewed and approved, with dates.
	signOff := text[strings.LastIndex(text, "Sign-off"):]
	if !regexp.MustCompile(`Amina Diallo \(attested by Zoë\s+Prepared by\s+Łukasiewicz, Directrice des risques\)\s+20 March 2027` +
		`\s+Reviewed by\s+Kofi Mensah and Awa Ndiaye\s+26 March 2027\s+Approved by\s+Fatou Sarr\s+1 April 2027`).MatchString(signOff) {
		t.Errorf("the sign-off does not name who prepared, reviewed and approved:\n%s", signOff)
	}

	// The cover reads the figures in words, and compares with the previous campaign.
	cover := pages[0]
	pdfCheckWords(t, cover, fmt.Sprintf("Société Générale Mobile answered %d of %d applicable controls.", len(ids), len(ids)))
	pdfCheckWords(t, cover, "Overall compliance is "+overall+".")
	pdfCheckWords(t, cover, "1 finding is open, 0 of them overdue.")
	pdfCheckWords(t, cover, "Its highest residual risks are "+top.ThreatID+" (")
	pdfCheckWords(t, cover, "In Campagne 2026 its overall compliance was 41.2%.")
	if !regexp.MustCompile(`Previous\s+Campagne 2026\s+Approved\s+41\.2%`).MatchString(text) {
		t.Error("the trend table lacks the previous campaign")
	}
}

// pdfCheckWords checks that the words of want appear in order in text, as
// wrapped lines and table columns may split them: each word must follow the
// one before it.
func pdfCheckWords(t *testing.T, text, want string) {
	t.Helper()
	pattern := ""
	for i, w := range strings.Fields(want) {
		if i > 0 {
			pattern += `[\s\S]*?`
		}
		pattern += regexp.QuoteMeta(w)
	}
	if !regexp.MustCompile(pattern).MatchString(text) {
		t.Errorf("the PDF text lacks the words of %q", want)
	}
}

// TestAssessmentPDFWrapsAndContinuesTables checks that the longest cell
// prints every word, and that a table broken by a page repeats its header
// under its title marked as continued.
func TestAssessmentPDFWrapsAndContinuesTables(t *testing.T) {
	t.Parallel()
	d := pdfAssessmentFixture(t)
	var b bytes.Buffer
	if err := WriteAssessmentPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.Bytes())
	text := strings.Join(pages, "")
	words := strings.Fields(d.Responses[7].Narrative)
	last := -1
	for _, w := range words {
		i := strings.Index(text, w)
		if i < 0 {
			t.Fatalf("the narrative's word %s is missing", w)
		}
		if i < last {
			t.Fatalf("the narrative's word %s is out of order", w)
		}
		last = i
	}
	var onPages []int
	for n, page := range pages {
		if strings.Contains(page, words[0]) || strings.Contains(page, words[len(words)-1]) || strings.Contains(page, words[450]) {
			onPages = append(onPages, n)
		}
	}
	if len(onPages) < 2 {
		t.Errorf("a narrative longer than a page is on pages %v only", onPages)
	}
	continued := 0
	header := regexp.MustCompile(`(?m)^\s*Responses and verdicts \(continued\)\s*\n\s*Control\s+Answer\s+Narrative\s+Evidence\s+Verdict`)
	for _, page := range pages {
		if strings.Contains(page, "Responses and verdicts (continued)") {
			continued++
			if !header.MatchString(page) {
				t.Errorf("a continued page does not repeat the header under its title:\n%.600s", page)
			}
		}
	}
	if continued < 2 {
		t.Errorf("the response table continues on %d pages", continued)
	}
	if !regexp.MustCompile(`T\d+ [^\n]+ \(continued\)\s*\n\s*Control\s+Title\s+Link`).MatchString(text) {
		t.Error("no threat table continues with its title and header")
	}
}

// TestAssessmentPDFMarksDrafts checks every page for the DRAFT mark: on all
// of them until the assessment is approved or rejected, on none after.
func TestAssessmentPDFMarksDrafts(t *testing.T) {
	t.Parallel()
	base := pdfAssessmentFixture(t)
	for _, status := range domain.AssessmentStatuses {
		t.Run(string(status), func(t *testing.T) {
			t.Parallel()
			d := base
			d.Assessment.Status = status
			var b bytes.Buffer
			if err := WriteAssessmentPDF(&b, d); err != nil {
				t.Fatal(err)
			}
			pages := pdfPages(t, b.Bytes())
			for i, page := range pages {
				if marked := strings.Contains(page, "DRAFT"); marked == status.Final() {
					t.Errorf("page %d of %d: marked DRAFT %v for a %s assessment", i+1, len(pages), marked, status)
				}
			}
		})
	}
}

// TestAssessmentPDFInFrench checks that a French report speaks French: its
// headings, words and dates, and none of the English headings.
func TestAssessmentPDFInFrench(t *testing.T) {
	t.Parallel()
	d := pdfAssessmentFixture(t)
	d.Lang = domain.French
	d.Assessment.Status = domain.StatusInReview
	var b bytes.Buffer
	if err := WriteAssessmentPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.Bytes())
	text := strings.Join(pages, "")
	pdfCheckContains(t, text, "Rapport d’évaluation de la cybersécurité", "Synthèse", "Matrice des risques résiduels",
		"Contrôles par menace", "Réponses et avis", "Constats", "Visas", "Préparée par", "Examinée par", "Approuvée par",
		"Opérateur de monnaie mobile", "ouverture le 15 janvier 2027, échéance le 31 mars 2027", "Probabilité",
		"Page 1 sur ", "Produit le 2 avril 2027 09:30 UTC")
	pdfCheckWords(t, pages[0], "1 constat est ouvert, dont 0 en retard.")
	for i, page := range pages {
		if !strings.Contains(page, "PROJET") {
			t.Errorf("page %d of a French draft lacks its mark", i+1)
		}
	}
	for _, english := range []string{"Executive summary", "Residual risk matrix", "Controls by threat", "Responses and verdicts",
		"Sign-off", "Prepared by", "Highest residual risks", "Overall compliance", "Page 1 of", "DRAFT", "(continued)",
		"not reviewed", "Mobile money operator"} {
		if strings.Contains(text, english) {
			t.Errorf("the French report says %q", english)
		}
	}
	if !regexp.MustCompile(`\d+,\d %`).MatchString(text) {
		t.Error("percentages are not written the French way")
	}
}

func TestAssessmentPDFWithoutFiling(t *testing.T) {
	t.Parallel()
	d := pdfAssessmentFixture(t)
	d.Submission, d.DecidedAt, d.DecidedBy, d.Findings, d.History, d.Previous = nil, nil, "", nil, nil, nil
	d.Assessment.Status, d.Basis, d.Source = domain.StatusDraft, "current", "draft"
	d.Provider.LegalName = "Ελληνική Τράπεζα Πληρωμών"
	for i := range d.Responses {
		d.Responses[i].Status, d.Responses[i].Verdict, d.Responses[i].VerdictAt = "", "", nil
	}
	d.Assessment.Answered = 0
	d.Risk = domain.AssessRisk(d.Framework, nil, domain.RiskInputs{Profile: domain.ProfileOf(d.Provider), Answers: map[string]domain.Answer{}})
	var b bytes.Buffer
	if err := WriteAssessmentPDF(&b, d); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.Bytes())
	text := strings.Join(pages, "")
	pdfCheckContains(t, text, "Ελληνική Τράπεζα Πληρωμών", "not submitted", "No findings.", "n/a (no control counts yet)",
		"Numbers from the assessment as it stands (Draft)", "The provider took part in no earlier campaign.", "unanswered")
	pdfCheckWords(t, pages[0], "No finding is open.")
	pdfCheckPages(t, text)
	// The sign-off leaves every role blank, to be filled by hand.
	signOff := text[strings.LastIndex(text, "Sign-off"):]
	if !regexp.MustCompile(`Prepared by\s*\n(\s*\n)*\s*Reviewed by\s*\n(\s*\n)*\s*Approved by\s*\n`).MatchString(signOff) {
		t.Errorf("the sign-off of an unfiled assessment is not blank:\n%s", signOff)
	}
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
	var unfiled []PriorityRow
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
			unfiled = append(unfiled, PriorityRow{Name: name, Kind: p.Kind, Tier: p.Tier, Priority: float64(5000 - i),
				RiskIndex: 80, FilingOverdue: i%12 == 5, Threats: []ThreatScore{{"T3", 25, domain.LevelCritical}}})
		default:
			sp.Status, sp.Filing = domain.StatusSubmitted, FiledOnTime
			if i%6 == 4 {
				sp.Filing = FiledLate
			}
			at := pdfGeneratedAt.Add(-time.Duration(i) * time.Hour)
			sp.SubmittedAt = &at
			_, answers := pdfAnswers(f, domain.ProfileOf(p), i)
			r := domain.AssessRisk(f, nil, domain.RiskInputs{Profile: domain.ProfileOf(p), Answers: answers})
			sp.Source, sp.Dimensions, sp.Stages = "submitted", map[string]*float64{}, domain.WorstLevelByStage(f, r)
			if v, ok := r.Overall().Value(); ok {
				sp.Overall = &v
			}
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
				Priority: float64(1000 - i), RiskIndex: 40, Filed: true, Threats: []ThreatScore{{"T10", 16, domain.LevelHigh}},
				Dimensions: []DimensionScore{{"authentication", "Authentication", 0.35}}})
		}
		d.Providers = append(d.Providers, sp)
	}
	// The first provider's drivers are long, as a ranking's often are.
	d.Priorities[0].Threats = []ThreatScore{{"T1", 16, domain.LevelHigh}, {"T10", 16, domain.LevelHigh}, {"T2", 15, domain.LevelHigh}}
	d.Priorities[0].Dimensions = []DimensionScore{{"a", "Communication security", 0.31}, {"b", "Non-repudiation", 0.35}}
	// As the store ranks them: the filed providers first, then the others.
	d.Priorities = append(d.Priorities, unfiled...)
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
	var progress []int
	if err := WriteSectorPDF(&b, d, func(n int) { progress = append(progress, n) }); err != nil {
		t.Fatal(err)
	}
	pages := pdfPages(t, b.Bytes())
	text := strings.Join(pages, "")
	pdfCheckPages(t, text)
	pdfCheckContains(t, text, "Sector cyber security report", "Campagne 2027 — cyber résilience", "x1150 1.0",
		"opens 15 January 2027, due 31 March 2027", "Numbers from each provider's latest filing", "Generated 2 April 2027 09:30 UTC",
		"Journalisation incomplète", "Providers × security dimensions (continued)", "Providers × value-chain stages (continued)",
		"Bank", "Agent network operator", "T10 (16, high)", "Authentication 35%")
	pdfCheckWords(t, text, "over 50 providers (from their latest filing); 10 providers have no numbers yet and are not counted.")
	// The key figures, each over its label.
	if !regexp.MustCompile(`60\s+40\s+10\s+10\s+0\s+1\s*\n\s*providers in scope\s+providers filed on time\s+providers filed late\s+providers have not filed`).MatchString(pages[0]) {
		t.Errorf("the cover lacks its key figures:\n%s", pages[0])
	}
	pdfCheckWords(t, pages[0], "Campagne 2027 — cyber résilience covers 60 providers: 40 have filed on time, 10 have filed late and 10 have not filed.")
	pdfCheckWords(t, pages[0], "The highest supervisory priorities among the filed providers are Banco de Crédito del Sur, Crédit Rural Coopératif and Łódź Pay.")
	pdfCheckWords(t, pages[0], "1 finding is overdue.")
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
	// A provider that has not filed shows "not filed" in the heatmaps …
	if !regexp.MustCompile(`Provider 0005 \(tier 3\)(\s+not filed){8}`).MatchString(dims) {
		t.Error("an unfiled provider's row does not say not filed")
	}
	pdfCheckPageStarts(t, text, regexp.MustCompile(`^\s*\d+\s+\S|\(tier \d\)|LIC-\d+`))
	// … and is not ranked among the filed, though its inherent priority is higher.
	priorities := pdfSection(t, text, "Supervisory priority", "Providers that have not filed")
	unfiled := pdfSection(t, text, "Providers that have not filed", "Submission status")
	for _, p := range d.Priorities {
		in, out := priorities, unfiled
		if !p.Filed {
			in, out = unfiled, priorities
		}
		if !strings.Contains(in, p.Name) || strings.Contains(out, p.Name+" ") {
			t.Errorf("%s (filed %v) is in the wrong list", p.Name, p.Filed)
		}
	}
	pdfCheckWords(t, priorities, "T1 (16, high), T10 (16, high), T2 (15, high)")
	pdfCheckWords(t, priorities, "Communication security 31%, Non-repudiation 35%")
	if strings.Contains(text, "…") {
		t.Error("some text of the sector report is cut with an ellipsis")
	}
	if strings.Contains(unfiled, "%") {
		t.Error("the unfiled providers show a compliance")
	}
	statuses := pdfSection(t, text, "Submission status", "Overdue findings")
	for _, p := range d.Providers {
		if !strings.Contains(statuses, p.LegalName) {
			t.Errorf("the submission table lacks %s", p.LegalName)
		}
		// Its overall compliance, or that it has not filed: never 0% for want of a filing.
		want := `not filed\s*$`
		if p.Overall != nil {
			want = regexp.QuoteMeta(fmt.Sprintf("%.0f%%", 100**p.Overall)) + `\s*$`
		}
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(p.Name) + `\s.*` + want).MatchString(statuses) {
			t.Errorf("the submission table does not give %s's compliance as %s", p.Name, want)
		}
	}
	// The campaign is open: every page is a draft.
	for i, page := range pages {
		if !strings.Contains(page, "DRAFT") {
			t.Errorf("page %d of an open campaign's report is not marked DRAFT", i+1)
		}
	}
	// Progress counts providers, rising to all of them.
	if len(progress) == 0 || progress[len(progress)-1] != len(d.Providers) || !slices.IsSorted(progress) {
		t.Errorf("progress = %v, want rising to %d", progress, len(d.Providers))
	}
	if progress[0] >= len(d.Providers) {
		t.Errorf("progress = %v: nothing before the end", progress)
	}
}

// TestSectorPDFDraftUntilSettled checks the sector report's DRAFT mark: on
// every page while the campaign is open or a filing awaits a decision, on
// none once the campaign is closed and every filing decided.
func TestSectorPDFDraftUntilSettled(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name   string
		status domain.CampaignStatus
		filing domain.AssessmentStatus
		draft  bool
	}{
		{"open", domain.CampaignOpen, domain.StatusApproved, true},
		{"closed, a filing in review", domain.CampaignClosed, domain.StatusInReview, true},
		{"closed and decided", domain.CampaignClosed, domain.StatusApproved, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			d := pdfSectorFixture(t, 12)
			d.Campaign.Status = c.status
			for i := range d.Providers {
				if d.Providers[i].Filing != NotFiled {
					d.Providers[i].Status = domain.StatusApproved
				}
			}
			d.Providers[0].Status = c.filing
			var b bytes.Buffer
			if err := WriteSectorPDF(&b, d, nil); err != nil {
				t.Fatal(err)
			}
			for i, page := range pdfPages(t, b.Bytes()) {
				if strings.Contains(page, "DRAFT") != c.draft {
					t.Errorf("page %d: marked DRAFT %v, want %v", i+1, !c.draft, c.draft)
				}
			}
		})
	}
}

// TestReportPluralsForOne checks the words for one of a thing, in English
// and French, and for several.
func TestReportPluralsForOne(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		lang  domain.Language
		n     int
		wants []string
	}{
		{domain.English, 1, []string{"covers 1 provider:", "1 has filed on time", "0 have filed late", "0 have not filed", "1 provider in scope"}},
		{domain.French, 1, []string{"couvre 1 prestataire :", "1 a déposé à temps", "0 a déposé en retard", "0 n’a pas déposé", "1 prestataire concerné"}},
		{domain.English, 2, []string{"covers 2 providers:", "2 have filed on time", "2 providers in scope"}},
		{domain.French, 2, []string{"couvre 2 prestataires :", "2 ont déposé à temps", "2 prestataires concernés"}},
	} {
		d := pdfSectorFixture(t, c.n)
		d.Lang = c.lang
		var b bytes.Buffer
		if err := WriteSectorPDF(&b, d, nil); err != nil {
			t.Fatal(err)
		}
		cover := pdfPages(t, b.Bytes())[0]
		for _, w := range c.wants {
			pdfCheckWords(t, cover, w)
		}
		if c.n == 1 && (strings.Contains(cover, "1 providers") || strings.Contains(cover, "1 prestataires")) {
			t.Errorf("%s: a plural for one provider", c.lang)
		}
	}
	p, err := printerFor(domain.French)
	if err != nil {
		t.Fatal(err)
	}
	en, err := printerFor(domain.English)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ got, want string }{
		{Plural(en, 0, "%d finding is open", "%d findings are open", 0), "0 findings are open"},
		{Plural(en, 1, "%d finding is open", "%d findings are open", 1), "1 finding is open"},
		{Plural(p, 0, "%d finding is open", "%d findings are open", 0), "0 constat est ouvert"},
		{Plural(p, 2, "%d finding is open", "%d findings are open", 2), "2 constats sont ouverts"},
		{JoinWords(en, []string{"a", "b", "c"}), "a, b and c"}, {JoinWords(p, []string{"a", "b"}), "a et b"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

// TestSectorPDFInFrench checks the sector report's French headings.
func TestSectorPDFInFrench(t *testing.T) {
	t.Parallel()
	d := pdfSectorFixture(t, 12)
	d.Lang = domain.French
	var b bytes.Buffer
	if err := WriteSectorPDF(&b, d, nil); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pdfPages(t, b.Bytes()), "")
	pdfCheckContains(t, text, "Rapport sectoriel de cybersécurité", "Matrice sectorielle des risques résiduels",
		"Prestataires × dimensions de sécurité", "Priorité de contrôle", "Prestataires qui n’ont pas déposé", "PROJET",
		"Banque", "non déposé", "T10 (16, élevée)", "Authentication 35 %", "T3 (25, critique)")
	for _, english := range []string{"Sector cyber security report", "Supervisory priority", "Submission status", "DRAFT",
		"not filed", "Bank "} {
		if strings.Contains(text, english) {
			t.Errorf("the French sector report says %q", english)
		}
	}
}

func TestSectorPDFPagesThousandsOfProviders(t *testing.T) {
	t.Parallel()
	d := pdfSectorFixture(t, 3000)
	d.Overdue = nil
	var b bytes.Buffer
	if err := WriteSectorPDF(&b, d, nil); err != nil {
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

// TestSectorPDFLongProviderNames checks that a long provider name prints
// whole as a heatmap row label, in smaller type rather than cut.
func TestSectorPDFLongProviderNames(t *testing.T) {
	t.Parallel()
	d := pdfSectorFixture(t, 6)
	long := "Caisse Régionale de Crédit Agricole Mutuel du Centre-Ouest et du Sahel"
	d.Providers[0].Name = long
	var b bytes.Buffer
	if err := WriteSectorPDF(&b, d, nil); err != nil {
		t.Fatal(err)
	}
	text := strings.Join(pdfPages(t, b.Bytes()), "")
	dims := pdfSection(t, text, "Providers × security dimensions", "Providers × value-chain stages")
	if !strings.Contains(dims, long+" (tier 1)") || strings.Contains(text, "…") {
		t.Errorf("the long name is not whole in the heatmap:\n%s", dims)
	}
}

// TestPDFLinesKeepEveryWord checks the wrapping of a cell: line breaks of
// any kind end a line, and the lines hold every word.
func TestPDFLinesKeepEveryWord(t *testing.T) {
	p, err := printerFor(domain.English)
	if err != nil {
		t.Fatal(err)
	}
	pdf := pdfDocument(p, "P", "t", "h", "", pdfGeneratedAt)
	pdf.AddPage()
	pdf.SetFont(pdfFont, "", pdfSmallPt)
	in := "First line\r\nsecond\tline\rthird line with a rather long tail that must wrap inside a narrow cell"
	lines := pdfLines(pdf, in, 30)
	if len(lines) < 5 || lines[0] != "First line" || lines[1] != "second line" {
		t.Errorf("lines = %q", lines)
	}
	if got := strings.Join(strings.Fields(strings.Join(lines, " ")), " "); got != strings.Join(strings.Fields(in), " ") {
		t.Errorf("the lines lose words: %q", got)
	}
	for _, l := range lines {
		if pdf.GetStringWidth(l) > 30 {
			t.Errorf("line %q is wider than its cell", l)
		}
	}
}
