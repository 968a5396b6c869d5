package app

import (
	"bytes"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/frameworks"
	"assure/reports"
)

// qnCatalog returns the built-in x1150 catalog.
func qnCatalog(tb testing.TB) *domain.Framework {
	tb.Helper()
	f, err := frameworks.Builtin("x1150", "1.0")
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func qnDay(tb testing.TB, s string) *domain.Date {
	tb.Helper()
	d, err := domain.ParseDate(s)
	if err != nil {
		tb.Fatal(err)
	}
	return &d
}

// qnFixture is the questionnaire of a mobile money operator part-way through
// its answers: the four answers in turn, versions 1 to 3, a narrative that a
// spreadsheet would take for a formula, one that starts with a dash, and the
// last control not answered.
func qnFixture(tb testing.TB) reports.QuestionnaireData {
	tb.Helper()
	f := qnCatalog(tb)
	provider := domain.Provider{ID: "prov-1", LegalName: "Mobile Money Ltd", ShortName: "MoMo", LicenceNumber: "MMO-014",
		Kind: domain.KindMobileMoneyOperator, Tier: 1, Status: domain.ProviderActive,
		Channels: []string{domain.ChannelApp, domain.ChannelUSSD, domain.ChannelAgents}}
	campaign := domain.Campaign{ID: "camp-1", Name: "Cyber resilience 2027", FrameworkID: f.ID, FrameworkVersion: f.Version,
		OpensAt: *qnDay(tb, "2027-01-15"), DueAt: *qnDay(tb, "2027-03-31"), Status: domain.CampaignOpen}
	var responses []domain.Response
	for i, id := range domain.ProfileOf(provider).ApplicableControls(f, "") {
		r := domain.Response{AssessmentID: "asmt-1", ControlID: id, Version: 1 + i%3}
		switch i % 4 {
		case 0:
			m := i % 6
			r.Status, r.Maturity, r.Narrative, r.EvidenceIDs = domain.Implemented, &m, "Board policy, reviewed yearly.", []string{"ev-1"}
		case 1:
			r.Status, r.RemediationDate, r.Narrative = domain.Partial, qnDay(tb, "2027-09-30"), "Half the agents so far."
		case 2:
			r.Status, r.RemediationDate = domain.NotImplemented, qnDay(tb, "2027-12-31")
		case 3:
			r.Status, r.Justification = domain.NotApplicable, "We run no such channel."
		}
		responses = append(responses, r)
	}
	if len(responses) < 12 {
		tb.Fatalf("only %d applicable controls; the tests need 12", len(responses))
	}
	responses[0].Narrative = "=HYPERLINK(\"http://evil.example\")"
	responses[1].Narrative = "- patched monthly\n- audited yearly"
	last := &responses[len(responses)-1]
	*last = domain.Response{AssessmentID: "asmt-1", ControlID: last.ControlID, Version: 1}
	return reports.QuestionnaireData{GeneratedAt: time.Date(2027, 4, 2, 9, 30, 0, 0, time.UTC),
		Provider: provider, Campaign: campaign, Framework: f, Responses: responses,
		Assessment: domain.Assessment{ID: "asmt-1", CampaignID: campaign.ID, ProviderID: provider.ID,
			Status: domain.StatusDraft, DueAt: campaign.DueAt}}
}

// qnWrite writes q's workbook.
func qnWrite(t *testing.T, q reports.QuestionnaireData) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := reports.WriteQuestionnaire(&buf, q); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// qnEdit changes a workbook the way a provider's spreadsheet program would:
// it opens it, lets edit change it, and saves it again.
func qnEdit(t *testing.T, data []byte, edit func(f *excelize.File)) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	edit(f)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// qnSet sets a cell of the Questionnaire sheet; nil clears it.
func qnSet(t *testing.T, f *excelize.File, cell string, v any) {
	t.Helper()
	if err := f.SetCellValue(reports.QuestionnaireSheet, cell, v); err != nil {
		t.Fatal(err)
	}
}
