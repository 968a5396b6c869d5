package reports

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/frameworks"
	"assure/texts"
)

// xlFramework returns the built-in X.1150 catalog.
func xlFramework(tb testing.TB) *domain.Framework {
	tb.Helper()
	f, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func xlDate(s string) domain.Date {
	d, err := domain.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

var (
	xlNow      = time.Date(2027, 4, 2, 9, 30, 0, 0, time.UTC)
	xlCampaign = domain.Campaign{ID: "camp-1", Name: "Cyber resilience 2027", FrameworkID: "x1150", FrameworkVersion: "1.0",
		OpensAt: xlDate("2027-01-15"), DueAt: xlDate("2027-03-31"), Status: domain.CampaignOpen}
	xlProvider = domain.Provider{ID: "prov-1", LegalName: "Mobile Money Ltd", ShortName: "MoMo", LicenceNumber: "MMO-014",
		Kind: domain.KindMobileMoneyOperator, Tier: 1, Channels: []string{domain.ChannelApp, domain.ChannelUSSD, domain.ChannelAgents},
		Status: domain.ProviderActive}
)

// xlResponses answers every applicable control of p in a rotating pattern,
// the way a provider part-way through review would.
func xlResponses(f *domain.Framework, p domain.Provider, assessmentID string) []domain.Response {
	var out []domain.Response
	for i, id := range domain.ProfileOf(p).ApplicableControls(f, "") {
		r := domain.Response{AssessmentID: assessmentID, ControlID: id, Version: 1 + i%3,
			UpdatedAt: xlNow.Add(-time.Duration(i) * time.Hour)}
		m := i % 6
		switch i % 5 {
		case 0:
			r.Status, r.Verdict, r.Maturity = domain.Implemented, domain.Accepted, &m
			r.Narrative, r.EvidenceIDs = "Policy approved by the board; reviewed yearly.", []string{"ev-1", "ev-2"}
		case 1:
			r.Status, r.Maturity, r.Narrative = domain.Implemented, &m, "Implemented in the core platform."
		case 2:
			d := xlDate("2027-09-30")
			r.Status, r.RemediationDate, r.Narrative = domain.Partial, &d, "Rolled out to half the agents."
		case 3:
			d := xlDate("2027-12-31")
			r.Status, r.RemediationDate, r.Verdict, r.VerdictComment = domain.NotImplemented, &d, domain.NeedsInfo, "Which vendor?"
		case 4:
			r.Status, r.Justification = domain.NotApplicable, "We do not run this channel."
		}
		out = append(out, r)
	}
	return out
}

// xlAssessment is a filed assessment with evidence, findings and risk.
func xlAssessment(tb testing.TB) AssessmentData {
	f := xlFramework(tb)
	responses := xlResponses(f, xlProvider, "asmt-1")
	responses[0].Narrative = "=HYPERLINK(\"http://evil.example\",\"click\")"
	answers := map[string]domain.Answer{}
	for _, r := range responses {
		answers[r.ControlID] = domain.Answer{Status: r.Status, Verdict: r.Verdict}
	}
	five := 5
	risk := domain.AssessRisk(f, nil, domain.RiskInputs{Profile: domain.ProfileOf(xlProvider), Answers: answers,
		Overrides: map[string]domain.Override{"T1": {Likelihood: &five, Reason: "Repeated incidents in 2026"}}})
	decided := xlNow.Add(-24 * time.Hour)
	return AssessmentData{
		GeneratedAt: xlNow, GeneratedBy: "auditor@bank.example",
		Provider: xlProvider, Campaign: xlCampaign, Framework: f,
		Assessment: domain.Assessment{ID: "asmt-1", CampaignID: xlCampaign.ID, ProviderID: xlProvider.ID,
			Status: domain.StatusApproved, DueAt: xlCampaign.DueAt, Submissions: 2},
		Submission: &SubmissionInfo{Version: 2, SubmittedAt: time.Date(2027, 4, 1, 16, 45, 0, 0, time.UTC),
			SubmittedBy: "ceo@momo.example", Late: true, Seal: "ab12", Verified: true,
			Attestation: domain.Attestation{Name: "A. Mensah", Position: "CEO", Statement: "True and complete."}},
		DecidedBy: "supervisor@bank.example", DecidedAt: &decided,
		Basis: "filed", Source: "approved", Risk: risk, Tier: 1,
		Responses: responses,
		Evidence: []domain.Evidence{
			{ID: "ev-1", Filename: "policy.pdf", MediaType: "application/pdf", Size: 183204, SHA256: "9f86d0",
				UploadedBy: "editor@momo.example", UploadedAt: "2027-03-02T10:15:00Z"},
			{ID: "ev-2", Filename: "@risk.xlsx", MediaType: "text/csv", Size: 12, SHA256: "aa",
				UploadedBy: "editor@momo.example", UploadedAt: "2027-03-03T08:00:00.123456Z"},
		},
		Findings: []domain.Finding{{ID: "fd-1", ControlID: responses[3].ControlID, Title: "No SIM-swap check",
			Severity: domain.SeverityHigh, Status: domain.FindingOpen, DueAt: xlDate("2027-06-30"),
			CreatedAt: xlNow.Add(-48 * time.Hour), RemediationPlan: "-Integrate the MNO API"}},
	}
}

// xlEnglish is the printer of the English workbooks.
func xlEnglish(tb testing.TB) texts.Printer {
	tb.Helper()
	p, err := printerFor(domain.English)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// xlFill returns a cell's fill colour, upper-cased as excelize reads it back
// and lower-cased here to compare with the heatmap's.
func xlFill(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Fill.Color) == 0 {
		return ""
	}
	return "#" + strings.ToLower(strings.TrimPrefix(st.Fill.Color[0], "#"))
}

func xlOpen(t *testing.T, data []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func xlRows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatalf("rows of %s: %v", sheet, err)
	}
	return rows
}

func xlCheckHeader(t *testing.T, f *excelize.File, sheet string, cols []xlColumn) {
	t.Helper()
	rows := xlRows(t, f, sheet)
	var want []string
	for _, c := range cols {
		want = append(want, c.name)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], want) {
		t.Errorf("%s header = %q, want %q", sheet, rows[0], want)
	}
}

// xlFormat returns the number format of a cell's style.
func xlFormat(t *testing.T, f *excelize.File, sheet, cell string) string {
	t.Helper()
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	if st.CustomNumFmt != nil {
		return *st.CustomNumFmt
	}
	return strconv.Itoa(st.NumFmt)
}

// xlNumber checks that a cell holds a number and returns it.
func xlNumber(t *testing.T, f *excelize.File, sheet, cell string) float64 {
	t.Helper()
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
	v, perr := strconv.ParseFloat(raw, 64)
	if (typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber) || perr != nil {
		t.Errorf("%s!%s = %q (type %v), want a number", sheet, cell, raw, typ)
	}
	return v
}

// xlDateCell checks that a cell is a date with the given format and returns it.
func xlDateCell(t *testing.T, f *excelize.File, sheet, cell, format string) time.Time {
	t.Helper()
	v := xlNumber(t, f, sheet, cell)
	if got := xlFormat(t, f, sheet, cell); got != format {
		t.Errorf("%s!%s number format = %q, want %q", sheet, cell, got, format)
	}
	d, _ := excelize.ExcelDateToTime(v, false)
	return d
}

// xlLabelRow returns the 1-based row whose column A holds label.
func xlLabelRow(t *testing.T, rows [][]string, label string) int {
	t.Helper()
	for i, r := range rows {
		if len(r) > 0 && r[0] == label {
			return i + 1
		}
	}
	t.Fatalf("no row %q", label)
	return 0
}

// xlCellRow returns the 1-based row whose column col (from 0) holds text.
func xlCellRow(t *testing.T, rows [][]string, col int, text string) int {
	t.Helper()
	for i, r := range rows {
		if len(r) > col && r[col] == text {
			return i + 1
		}
	}
	t.Fatalf("no row with %q in column %d", text, col+1)
	return 0
}

func xlFilter(t *testing.T, f *excelize.File, sheet, want string) {
	t.Helper()
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm._FilterDatabase" && n.Scope == sheet {
			if n.RefersTo != want {
				t.Errorf("%s autofilter = %s, want %s", sheet, n.RefersTo, want)
			}
			return
		}
	}
	t.Errorf("%s has no autofilter", sheet)
}

func xlFrozen(t *testing.T, f *excelize.File, sheet string) {
	t.Helper()
	p, err := f.GetPanes(sheet)
	if err != nil || !p.Freeze || p.YSplit != 1 || p.TopLeftCell != "A2" {
		t.Errorf("%s panes = %+v (%v), want the header row frozen", sheet, p, err)
	}
}

func TestAssessmentXLSX(t *testing.T) {
	d := xlAssessment(t)
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	if got, want := f.GetSheetList(), []string{"Summary", "Responses", "Evidence", "Findings", "Risk register"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	xlCheckHeader(t, f, "Responses", xlResponseColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Evidence", xlEvidenceColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Findings", xlFindingColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Risk register", xlRiskColumns(xlEnglish(t)))

	t.Run("summary", func(t *testing.T) {
		rows := xlRows(t, f, "Summary")
		cell := func(label string) string { return "B" + strconv.Itoa(xlLabelRow(t, rows, label)) }
		overall, _ := d.Risk.Overall().Value()
		if got := xlNumber(t, f, "Summary", cell("Overall compliance")); got != overall {
			t.Errorf("overall compliance = %v, want %v", got, overall)
		}
		if got := xlFormat(t, f, "Summary", cell("Overall compliance")); got != xlPercentFormat {
			t.Errorf("overall compliance format = %q", got)
		}
		if got, _ := f.GetCellValue("Summary", cell("Overall compliance")); got == "" || got[len(got)-1] != '%' {
			t.Errorf("overall compliance shows %q, want a percentage", got)
		}
		if got := rows[xlLabelRow(t, rows, "Late")-1][1]; got != "Yes" {
			t.Errorf("Late = %q, want Yes", got)
		}
		if got := xlDateCell(t, f, "Summary", cell("Submitted at (UTC)"), xlDateTimeFormat); !got.Equal(d.Submission.SubmittedAt) {
			t.Errorf("submitted at = %v", got)
		}
		counts := map[domain.RiskLevel]int{}
		for _, tr := range d.Risk.Threats {
			if tr.Applicable {
				counts[tr.Level]++
			}
		}
		for _, l := range domain.RiskLevels {
			if got := xlNumber(t, f, "Summary", cell("Applicable threats at residual level "+xlEnglish(t).Name(l))); int(got) != counts[l] {
				t.Errorf("%s threats = %v, want %d", l, got, counts[l])
			}
		}
		if got := xlNumber(t, f, "Summary", cell("Submission version")); got != 2 {
			t.Errorf("submission version = %v", got)
		}
		// The dimension table: one row per catalog dimension, by name.
		first := xlLabelRow(t, rows, "Compliance by dimension")
		for i, dim := range d.Framework.Dimensions {
			row := rows[first+i]
			if row[0] != dim.Name {
				t.Errorf("dimension row %d = %q, want %q", first+i+1, row[0], dim.Name)
			}
			for _, c := range d.Risk.Compliance {
				if c.Facet == domain.FacetDimension && c.Key == dim.ID {
					if n, _ := strconv.Atoi(row[2]); n != c.Counted {
						t.Errorf("%s counted = %s, want %d", dim.Name, row[2], c.Counted)
					}
				}
			}
		}
		xlLabelRow(t, rows, "Compliance by stage")
	})

	t.Run("responses", func(t *testing.T) {
		rows := xlRows(t, f, "Responses")
		var ids []string
		for _, r := range rows[1:] {
			ids = append(ids, r[0])
		}
		if want := domain.ProfileOf(xlProvider).ApplicableControls(d.Framework, ""); !slices.Equal(ids, want) {
			t.Errorf("responses hold %d controls, want the %d applicable ones", len(ids), len(want))
		}
		xlFrozen(t, f, "Responses")
		xlFilter(t, f, "Responses", fmt.Sprintf("'Responses'!$A$1:$L$%d", len(rows)))
		// Row 2 is the first response: implemented, maturity 0, two evidence files.
		if got := xlNumber(t, f, "Responses", "F2"); got != 0 {
			t.Errorf("maturity = %v", got)
		}
		if got := xlNumber(t, f, "Responses", "L2"); got != 2 {
			t.Errorf("evidence files = %v", got)
		}
		if got, _ := f.GetCellValue("Responses", "G2"); got != "'"+d.Responses[0].Narrative {
			t.Errorf("narrative = %q, want it guarded against formula injection", got)
		}
		if got := xlDateCell(t, f, "Responses", "H4", xlDateFormat); !got.Equal(d.Responses[2].RemediationDate.Time()) {
			t.Errorf("remediation date = %v", got)
		}
		if got, _ := f.GetCellValue("Responses", "H2"); got != "" {
			t.Errorf("remediation date of an implemented control = %q, want empty", got)
		}
	})

	t.Run("evidence and findings", func(t *testing.T) {
		if got := xlNumber(t, f, "Evidence", "C2"); got != 183204 {
			t.Errorf("size = %v", got)
		}
		if got := xlDateCell(t, f, "Evidence", "F2", xlDateTimeFormat); !got.Equal(time.Date(2027, 3, 2, 10, 15, 0, 0, time.UTC)) {
			t.Errorf("uploaded at = %v", got)
		}
		if got, _ := f.GetCellValue("Evidence", "A3"); got != "'@risk.xlsx" {
			t.Errorf("file name = %q, want it guarded", got)
		}
		if got := xlDateCell(t, f, "Findings", "E2", xlDateFormat); !got.Equal(xlDate("2027-06-30").Time()) {
			t.Errorf("due = %v", got)
		}
		xlDateCell(t, f, "Findings", "F2", xlDateTimeFormat)
		if got, _ := f.GetCellValue("Findings", "G2"); got != "'-Integrate the MNO API" {
			t.Errorf("plan = %q", got)
		}
	})

	t.Run("risk register", func(t *testing.T) {
		rows := xlRows(t, f, "Risk register")
		if len(rows)-1 != len(d.Risk.Threats) {
			t.Fatalf("register has %d threats, want %d", len(rows)-1, len(d.Risk.Threats))
		}
		for i, tr := range d.Risk.Threats {
			cell := func(col string) string { return col + strconv.Itoa(i+2) }
			if got, want := rows[i+1][2], map[bool]string{true: "Yes", false: "No"}[tr.Applicable]; got != want {
				t.Errorf("%s applicable = %q, want %q", tr.ThreatID, got, want)
			}
			if !tr.Applicable {
				continue
			}
			if got := xlNumber(t, f, "Risk register", cell("J")); int(got) != tr.Score {
				t.Errorf("%s score = %v, want %d", tr.ThreatID, got, tr.Score)
			}
			if got := xlNumber(t, f, "Risk register", cell("G")); got != tr.Coverage() {
				t.Errorf("%s coverage = %v, want %v", tr.ThreatID, got, tr.Coverage())
			}
		}
		if got := rows[1][5]; got != "Repeated incidents in 2026" {
			t.Errorf("T1 override reason = %q", got)
		}
		// The score's colour is its level's, and the level is also said in words.
		for i, tr := range d.Risk.Threats {
			if !tr.Applicable {
				continue
			}
			for _, col := range []string{"J", "K"} {
				if got := xlFill(t, f, "Risk register", col+strconv.Itoa(i+2)); got != LevelFill(tr.Level) {
					t.Errorf("%s %s fill = %s, want %s for %s", tr.ThreatID, col, got, LevelFill(tr.Level), tr.Level)
				}
			}
			if got := rows[i+1][10]; got != xlEnglish(t).Name(tr.Level) {
				t.Errorf("%s level = %q, want it in words", tr.ThreatID, got)
			}
		}
	})
}

func TestAssessmentXLSXWithoutFiling(t *testing.T) {
	d := xlAssessment(t)
	d.Submission, d.DecidedAt, d.Risk, d.Evidence, d.Findings = nil, nil, domain.RiskResult{}, nil, nil
	var buf bytes.Buffer
	if err := WriteAssessmentXLSX(&buf, d); err != nil {
		t.Fatal(err)
	}
	f := xlOpen(t, buf.Bytes())
	rows := xlRows(t, f, "Summary")
	if got, _ := f.GetCellValue("Summary", "B"+strconv.Itoa(xlLabelRow(t, rows, "Submission version"))); got != "not submitted" {
		t.Errorf("submission version = %q", got)
	}
}

// xlSector is a sector of n providers with numbers for all but the last.
func xlSector(tb testing.TB, n int) SectorData {
	f := xlFramework(tb)
	d := SectorData{GeneratedAt: xlNow, GeneratedBy: "supervisor@bank.example", Campaign: xlCampaign, Framework: f,
		Basis: "filed", MatrixProviders: n - 1, MatrixMissing: 1}
	for l := range 5 {
		for i := range 5 {
			d.Matrix[l][i] = 10*(l+1) + i + 1
		}
	}
	filings := []FilingState{FiledOnTime, FiledOnTime, FiledLate, NotFiled}
	for i := range n {
		p := SectorProvider{ProviderID: fmt.Sprintf("p%d", i), Name: fmt.Sprintf("Provider %04d", i),
			Licence: fmt.Sprintf("LIC-%d", i), Kind: domain.ProviderKinds[i%len(domain.ProviderKinds)], Tier: 1 + i%3,
			AssessmentID: fmt.Sprintf("a%d", i), Status: domain.StatusSubmitted, Filing: filings[i%len(filings)],
			Dimensions: map[string]*float64{}, Stages: map[string]domain.RiskLevel{}}
		if p.Filing != NotFiled {
			at := xlNow.Add(-time.Duration(i) * time.Hour)
			p.SubmittedAt = &at
		}
		if i < n-1 {
			overall := float64(i%100) / 100
			p.Source, p.Overall, p.MaxScore = "submitted", &overall, 1+i%25
			for j, dim := range f.Dimensions {
				v := float64((i+j)%100) / 100
				p.Dimensions[dim.ID] = &v
			}
			for j, st := range f.Stages {
				p.Stages[st.ID] = domain.RiskLevels[(i+j)%4]
			}
		}
		d.Providers = append(d.Providers, p)
		d.Priorities = append(d.Priorities, PriorityRow{Rank: i + 1, Name: p.Name, Kind: p.Kind, Tier: p.Tier,
			Priority: 100 - float64(i)/3, RiskIndex: 12.5, Filed: p.Filing != NotFiled, FilingOverdue: p.Filing == NotFiled,
			OverdueFindings: i % 3, FindingsWeight: float64(i%3) * 2.5, InspectionGap: 15,
			Threats:    []ThreatScore{{"T10", 16, domain.LevelHigh}, {"T3", 12, domain.LevelHigh}},
			Dimensions: []DimensionScore{{DimensionID: "D2", Name: "Authentication", Compliance: 0.35}}})
	}
	d.Overdue = []domain.Finding{{ProviderName: "Provider 0001", Title: "=cmd|' /C calc'!A0", ControlID: "C12",
		Severity: domain.SeverityCritical, Status: domain.FindingOpen, DueAt: xlDate("2027-03-01")}}
	return d
}

// xlRowSource yields providers × controls synthetic register rows, made as
// they are asked for so that the source itself holds no memory.
func xlRowSource(tb testing.TB, providers, controls int) ResponseSource {
	f := xlFramework(tb)
	names := make([]string, providers)
	for i := range names {
		names[i] = fmt.Sprintf("Provider %04d", i)
	}
	ids, sections := make([]string, controls), make([]string, controls)
	for i := range ids {
		c := f.Controls[i%len(f.Controls)]
		ids[i], sections[i] = c.ID, c.Section
	}
	maturities := []int{0, 1, 2, 3, 4, 5}
	remediation := xlDate("2027-12-31")
	return func(emit func(ResponseRow) error) error {
		for p := range providers {
			for c := range controls {
				r := ResponseRow{Provider: names[p], Licence: "LIC-1", ControlID: ids[c], Section: sections[c],
					Status: domain.ResponseStatuses[c%4], Evidence: c % 4, UpdatedAt: xlNow.Add(-time.Duration(c) * time.Minute)}
				if c%3 == 0 {
					r.Maturity = &maturities[c%6]
				}
				if r.Status.Gap() {
					r.RemediationDate = &remediation
				}
				if c%5 == 0 {
					r.Verdict = domain.Accepted
				}
				if err := emit(r); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

func TestSectorXLSX(t *testing.T) {
	d := xlSector(t, 40)
	var buf bytes.Buffer
	var progress []int
	if err := WriteSectorXLSX(&buf, d, xlRowSource(t, 25, 100), func(n int) { progress = append(progress, n) }); err != nil {
		t.Fatal(err)
	}
	if want := []int{1000, 2000}; !slices.Equal(progress, want) {
		t.Errorf("progress = %v, want %v", progress, want)
	}
	f := xlOpen(t, buf.Bytes())
	want := []string{"Summary", "Submission status", "Priorities", "Dimensions", "Stages", "Overdue findings", "Responses"}
	if got := f.GetSheetList(); !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}
	xlCheckHeader(t, f, "Submission status", xlStatusColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Priorities", xlPriorityColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Overdue findings", xlOverdueColumns(xlEnglish(t)))
	xlCheckHeader(t, f, "Responses", xlRegisterColumns(xlEnglish(t)))

	t.Run("summary", func(t *testing.T) {
		rows := xlRows(t, f, "Summary")
		cell := func(label string) string { return "B" + strconv.Itoa(xlLabelRow(t, rows, label)) }
		for label, want := range map[string]float64{"Providers": 40, "Filed on time": 20, "Filed late": 10, "Not filed": 10,
			"Providers in the risk matrix": 39, "Providers without numbers": 1} {
			if got := xlNumber(t, f, "Summary", cell(label)); got != want {
				t.Errorf("%s = %v, want %v", label, got, want)
			}
		}
		xlDateCell(t, f, "Summary", cell("Due"), xlDateFormat)
		xlDateCell(t, f, "Summary", cell("Generated at (UTC)"), xlDateTimeFormat)
		// The grid: likelihood 5 on top, impact 1 to 5 left to right.
		// Its row labels are in B and its cells in C to G, coloured by
		// level, with a legend naming the levels under it.
		top := xlCellRow(t, rows, 1, "Likelihood \\ Impact") + 1
		for k := range 5 {
			l := 5 - k
			if got := xlNumber(t, f, "Summary", "B"+strconv.Itoa(top+k)); int(got) != l {
				t.Errorf("matrix row %d is likelihood %v, want %d", top+k, got, l)
			}
			for i := range 5 {
				ref, _ := excelize.CoordinatesToCellName(3+i, top+k)
				if got := xlNumber(t, f, "Summary", ref); int(got) != d.Matrix[l-1][i] {
					t.Errorf("matrix L%d I%d = %v, want %d", l, i+1, got, d.Matrix[l-1][i])
				}
				if got, want := xlFill(t, f, "Summary", ref), LevelFill(domain.LevelOf(l*(i+1))); got != want {
					t.Errorf("matrix L%d I%d fill = %s, want %s", l, i+1, got, want)
				}
			}
		}
		legend := rows[xlCellRow(t, rows, 1, "Level of the cell")-1][2:]
		if want := []string{"Low (1–4)", "Medium (5–9)", "High (10–16)", "Critical (20–25)"}; !slices.Equal(legend, want) {
			t.Errorf("matrix legend = %q, want %q", legend, want)
		}
		for i, l := range domain.RiskLevels {
			ref, _ := excelize.CoordinatesToCellName(3+i, xlCellRow(t, rows, 1, "Level of the cell"))
			if got := xlFill(t, f, "Summary", ref); got != LevelFill(l) {
				t.Errorf("legend %s fill = %s, want %s", l, got, LevelFill(l))
			}
		}
		if got := rows[xlLabelRow(t, rows, "In short")-1][1]; got !=
			"40 providers in the campaign: 39 in the risk matrix, 1 without numbers on this basis." {
			t.Errorf("in short = %q", got)
		}
	})

	t.Run("providers", func(t *testing.T) {
		xlDateCell(t, f, "Submission status", "G2", xlDateTimeFormat)
		if got, _ := f.GetCellValue("Submission status", "G5"); got != "" {
			t.Errorf("submitted at of a provider that did not file = %q", got)
		}
		if got := xlNumber(t, f, "Priorities", "E3"); got != d.Priorities[1].Priority {
			t.Errorf("priority = %v", got)
		}
		if got := xlRows(t, f, "Priorities")[1][6:8]; !slices.Equal(got, []string{"Yes", "No"}) {
			t.Errorf("filed and filing overdue = %q, want Yes and No", got)
		}
		// The priority's other terms: the second provider has one overdue finding weighing 2.5 and was never inspected on site.
		if got := xlRows(t, f, "Priorities")[2][8:12]; !slices.Equal(got, []string{"1", "2.5", "never", "15"}) {
			t.Errorf("overdue findings, their weight, last inspection and gap = %q", got)
		}
		rows := xlRows(t, f, "Dimensions")
		header := []string{"Provider", "Overall"}
		for _, dim := range d.Framework.Dimensions {
			header = append(header, dim.Name)
		}
		if !slices.Equal(rows[0], header) {
			t.Errorf("dimensions header = %q, want %q", rows[0], header)
		}
		if got := xlNumber(t, f, "Dimensions", "C3"); got != *d.Providers[1].Dimensions[d.Framework.Dimensions[0].ID] {
			t.Errorf("dimension compliance = %v", got)
		}
		if got := xlFormat(t, f, "Dimensions", "C3"); got != xlPercentFormat {
			t.Errorf("dimension format = %q", got)
		}
		if got := rows[len(rows)-1]; !slices.Equal(got, []string{d.Providers[len(d.Providers)-1].Name, "not filed"}) {
			t.Errorf("the provider without numbers shows %q, want it not filed and nothing else", got)
		}
		stages := xlRows(t, f, "Stages")
		if got, want := stages[1][2], xlEnglish(t).Name(domain.LevelOf(d.Providers[0].MaxScore)); got != want {
			t.Errorf("level of the highest score = %q, want %q", got, want)
		}
		if got, want := xlFill(t, f, "Stages", "B2"), LevelFill(domain.LevelOf(d.Providers[0].MaxScore)); got != want {
			t.Errorf("highest score fill = %s, want %s", got, want)
		}
		if got, want := stages[1][3], xlEnglish(t).Name(d.Providers[0].Stages[d.Framework.Stages[0].ID]); got != want {
			t.Errorf("stage level = %q, want %q", got, want)
		}
		if got, _ := f.GetCellValue("Overdue findings", "B2"); got != "'=cmd|' /C calc'!A0" {
			t.Errorf("finding title = %q, want it guarded", got)
		}
		if got := xlNumber(t, f, "Overdue findings", "G2"); got != 32 {
			t.Errorf("days overdue = %v, want 32", got)
		}
	})

	t.Run("register", func(t *testing.T) {
		rows := xlRows(t, f, "Responses")
		if len(rows) != 1+2500 {
			t.Fatalf("register has %d rows, want 2501", len(rows))
		}
		xlFrozen(t, f, "Responses")
		xlFilter(t, f, "Responses", "'Responses'!$A$1:$J$2501")
		if got := xlNumber(t, f, "Responses", "F2"); got != 0 { // c = 0: maturity 0
			t.Errorf("maturity = %v", got)
		}
		xlDateCell(t, f, "Responses", "G4", xlDateFormat) // c = 2: not_implemented
		xlDateCell(t, f, "Responses", "J2", xlDateTimeFormat)
		if got := xlNumber(t, f, "Responses", "I3"); got != 1 {
			t.Errorf("evidence = %v", got)
		}
	})
}

func TestSectorXLSXSourceError(t *testing.T) {
	boom := errors.New("database went away")
	err := WriteSectorXLSX(io.Discard, xlSector(t, 3), func(emit func(ResponseRow) error) error {
		if err := emit(ResponseRow{Provider: "P"}); err != nil {
			return err
		}
		return boom
	}, nil)
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want the source's error", err)
	}
}

// xlPeakHeap runs fn while sampling the heap in use every few milliseconds,
// and returns the highest value seen, in bytes.
func xlPeakHeap(fn func() error) (uint64, error) {
	runtime.GC()
	var peak atomic.Uint64
	stop, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(3 * time.Millisecond)
		defer tick.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			peak.Store(max(peak.Load(), ms.HeapInuse))
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	err := fn()
	close(stop)
	<-stopped
	return peak.Load(), err
}

// TestSectorXLSXMemoryIsFlat writes registers of 50,000 and 200,000 rows:
// streamed, both must peak at about the same heap.
func TestSectorXLSXMemoryIsFlat(t *testing.T) {
	if testing.Short() {
		t.Skip("writes 250,000 rows")
	}
	d := xlSector(t, 50)
	peak := func(providers int) uint64 {
		p, err := xlPeakHeap(func() error {
			return WriteSectorXLSX(io.Discard, d, xlRowSource(t, providers, 100), nil)
		})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	small, large := peak(500), peak(2000)
	t.Logf("peak heap: %.1f MB for 50,000 rows, %.1f MB for 200,000 rows", float64(small)/1e6, float64(large)/1e6)
	if large > 2*small {
		t.Errorf("peak heap grew from %d to %d bytes with 4× the rows; the register is not streamed", small, large)
	}
}

// xlBareRegister writes the same rows with excelize's StreamWriter and
// nothing else: the floor WriteSectorXLSX is measured against. Dates need
// their styles to be dates; that is all it adds.
func xlBareRegister(w io.Writer, rows ResponseSource) error {
	f := excelize.NewFile()
	defer f.Close()
	sw, err := f.NewStreamWriter("Sheet1")
	if err != nil {
		return err
	}
	dateFmt, dateTimeFmt := xlDateFormat, xlDateTimeFormat
	date, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt})
	dateTime, _ := f.NewStyle(&excelize.Style{CustomNumFmt: &dateTimeFmt})
	p, err := printerFor(domain.English)
	if err != nil {
		return err
	}
	cols := xlRegisterColumns(p)
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c.name
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	n := 1
	row := make([]any, len(cols))
	err = rows(func(r ResponseRow) error {
		n++
		row[0], row[1], row[2], row[3], row[4] = r.Provider, r.Licence, r.ControlID, r.Section, string(r.Status)
		row[5], row[6] = nil, nil
		if r.Maturity != nil {
			row[5] = *r.Maturity
		}
		if r.RemediationDate != nil {
			row[6] = excelize.Cell{StyleID: date, Value: r.RemediationDate.Time()}
		}
		row[7], row[8], row[9] = string(r.Verdict), r.Evidence, excelize.Cell{StyleID: dateTime, Value: r.UpdatedAt}
		return sw.SetRow("A"+strconv.Itoa(n), row)
	})
	if err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	return f.Write(w)
}

// xlTime adds the time until the returned function is called to *total.
func xlTime(total *time.Duration) func() {
	start := time.Now()
	return func() { *total += time.Since(start) }
}

// BenchmarkSectorXLSX writes a register of 2,000 providers × 100 controls
// with WriteSectorXLSX and with the bare StreamWriter, interleaved, and
// reports both rates, their ratio and the peak heap of ours.
func BenchmarkSectorXLSX(b *testing.B) {
	const providers, controls = 2000, 100
	d := xlSector(b, providers)
	rows := xlRowSource(b, providers, controls)
	var ours, bare time.Duration
	var peak, barePeak uint64
	for i := 0; i < b.N; i++ {
		runs := []func(){
			func() {
				p, err := xlPeakHeap(func() error {
					defer xlTime(&ours)()
					return WriteSectorXLSX(io.Discard, d, rows, nil)
				})
				peak = max(peak, p)
				if err != nil {
					b.Fatal(err)
				}
			},
			func() {
				p, err := xlPeakHeap(func() error {
					defer xlTime(&bare)()
					return xlBareRegister(io.Discard, rows)
				})
				barePeak = max(barePeak, p)
				if err != nil {
					b.Fatal(err)
				}
			},
		}
		if i%2 == 1 {
			slices.Reverse(runs)
		}
		for _, run := range runs {
			run()
		}
	}
	total := float64(providers * controls * b.N)
	b.ReportMetric(total/ours.Seconds(), "rows/s")
	b.ReportMetric(total/bare.Seconds(), "bare-rows/s")
	b.ReportMetric(bare.Seconds()/ours.Seconds(), "ratio")
	b.ReportMetric(float64(peak)/(1<<20), "peak-MB")
	b.ReportMetric(float64(barePeak)/(1<<20), "bare-peak-MB")
}
