package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"assure/domain"
	"assure/standards"
)

// oscalTestSchema is the published OSCAL 1.2.2 schema.
func oscalTestSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	sch, err := standards.OSCAL()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// oscalValidate checks a document against the OSCAL schema.
func oscalValidate(t testing.TB, data []byte) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return err
	}
	return oscalTestSchema(t).Validate(inst)
}

// oscalFixture is an approved assessment with evidence and findings, one
// of them on no control, and times for every change.
func oscalFixture(tb testing.TB) AssessmentData {
	d := xlAssessment(tb)
	d.Assessment.UpdatedAt = time.Date(2027, 4, 2, 8, 0, 0, 0, time.UTC)
	d.Assessment.CreatedAt = time.Date(2027, 1, 15, 0, 0, 0, 0, time.UTC)
	d.Assessment.Version = 7
	decided := time.Date(2027, 4, 2, 8, 0, 0, 0, time.UTC) // after the filing it decides on
	d.DecidedAt = &decided
	d.Responses[1].VerdictComment = "Seen on site.\nThe logs agree."
	d.Findings = append(d.Findings, domain.Finding{ID: "fd-2", Title: "Board reporting\nis irregular",
		Severity: domain.SeverityMedium, Status: domain.FindingInProgress, DueAt: xlDate("2027-08-31"),
		Description: "Reports reach the board twice a year.", CreatedAt: xlNow.Add(-24 * time.Hour),
		UpdatedAt: xlNow, Version: 3})
	d.Findings[0].Version = 1
	return d
}

func oscalWrite(t *testing.T, write func(io *bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The test's view of the documents: only what it checks.
type oscalTestProp struct {
	Name, NS, Value string
}

type oscalTestAR struct {
	AR struct {
		UUID     string
		Metadata struct {
			Title        string
			LastModified string `json:"last-modified"`
			OSCALVersion string `json:"oscal-version"`
			Parties      []struct{ UUID, Name string }
		}
		ImportAP struct{ Href string } `json:"import-ap"`
		Results  []struct {
			Start, End       string
			ReviewedControls struct {
				ControlSelections []struct {
					IncludeControls []struct {
						ControlID string `json:"control-id"`
					} `json:"include-controls"`
				} `json:"control-selections"`
			} `json:"reviewed-controls"`
			Observations []struct {
				UUID, Title, Description string
				Props                    []oscalTestProp
				RelevantEvidence         []struct{ Href string } `json:"relevant-evidence"`
			}
			Findings []struct {
				Props  []oscalTestProp
				Target struct {
					Type     string
					TargetID string `json:"target-id"`
					Status   struct{ State string }
				}
				RelatedObservations []struct {
					ObservationUUID string `json:"observation-uuid"`
				} `json:"related-observations"`
			}
		}
		BackMatter struct {
			Resources []struct {
				UUID, Title string
				RLinks      []struct {
					Href      string
					MediaType string `json:"media-type"`
					Hashes    []struct{ Algorithm, Value string }
				}
			}
		} `json:"back-matter"`
	} `json:"assessment-results"`
}

type oscalTestPOAM struct {
	POAM struct {
		UUID      string
		ImportSSP struct{ Href string } `json:"import-ssp"`
		Findings  []struct {
			UUID   string
			Target struct {
				TargetID string `json:"target-id"`
			}
		}
		Risks []struct {
			UUID, Status, Deadline string
			Remediations           []struct{ Lifecycle, Description string }
		}
		POAMItems []struct {
			Title           string
			Props           []oscalTestProp
			RelatedFindings []struct {
				FindingUUID string `json:"finding-uuid"`
			} `json:"related-findings"`
			RelatedRisks []struct {
				RiskUUID string `json:"risk-uuid"`
			} `json:"related-risks"`
		} `json:"poam-items"`
		BackMatter struct {
			Resources []struct{ UUID string }
		} `json:"back-matter"`
	} `json:"plan-of-action-and-milestones"`
}

func oscalPropValue(props []oscalTestProp, name string) (string, bool) {
	for _, p := range props {
		if p.Name == name && p.NS == domain.OSCALNamespace {
			return p.Value, true
		}
	}
	return "", false
}

func TestOSCALAssessmentResultsValidate(t *testing.T) {
	t.Parallel()
	d := oscalFixture(t)
	data := oscalWrite(t, func(b *bytes.Buffer) error { return WriteAssessmentResults(b, d) })
	if err := oscalValidate(t, data); err != nil {
		t.Fatalf("the assessment results break the OSCAL schema: %v", err)
	}

	// An assessment never filed, with no responses, evidence or decision,
	// is still a valid document.
	bare := oscalFixture(t)
	bare.Submission, bare.DecidedAt, bare.DecidedBy = nil, nil, ""
	bare.Assessment.Status, bare.Assessment.Submissions = domain.StatusDraft, 0
	bare.Responses, bare.Evidence, bare.Findings = nil, nil, nil
	data = oscalWrite(t, func(b *bytes.Buffer) error { return WriteAssessmentResults(b, bare) })
	if err := oscalValidate(t, data); err != nil {
		t.Fatalf("the results of a bare assessment break the OSCAL schema: %v", err)
	}
}

func TestOSCALAssessmentResultsContent(t *testing.T) {
	t.Parallel()
	d := oscalFixture(t)
	var doc oscalTestAR
	if err := json.Unmarshal(oscalWrite(t, func(b *bytes.Buffer) error { return WriteAssessmentResults(b, d) }), &doc); err != nil {
		t.Fatal(err)
	}
	ar := doc.AR
	if ar.UUID != domain.OSCALUUID("assessment-results/asmt-1/2") {
		t.Errorf("uuid = %s: not named from the assessment and its submission", ar.UUID)
	}
	if ar.Metadata.OSCALVersion != domain.OSCALVersion || ar.Metadata.LastModified != "2027-04-02T08:00:00Z" ||
		!strings.Contains(ar.Metadata.Title, d.Provider.LegalName) || !strings.Contains(ar.Metadata.Title, d.Campaign.Name) {
		t.Errorf("metadata = %+v", ar.Metadata)
	}
	if len(ar.Metadata.Parties) != 2 || ar.Metadata.Parties[0].Name != d.Provider.LegalName {
		t.Errorf("parties = %+v", ar.Metadata.Parties)
	}
	resources := map[string]int{}
	for i, r := range ar.BackMatter.Resources {
		resources[r.UUID] = i
	}
	if _, ok := resources[strings.TrimPrefix(ar.ImportAP.Href, "#")]; !ok || !strings.HasPrefix(ar.ImportAP.Href, "#") {
		t.Errorf("import-ap %q names no back-matter resource", ar.ImportAP.Href)
	}
	if len(ar.Results) != 1 {
		t.Fatalf("%d results", len(ar.Results))
	}
	res := ar.Results[0]
	if res.Start != "2027-04-01T16:45:00Z" || res.End != oscalTime(*d.DecidedAt) {
		t.Errorf("result runs %s – %s", res.Start, res.End)
	}

	// Every response is reviewed, observed once and found on, by its token.
	sel := res.ReviewedControls.ControlSelections
	if len(sel) != 1 || len(sel[0].IncludeControls) != len(d.Responses) {
		t.Fatalf("reviewed controls = %+v", sel)
	}
	if len(res.Observations) != len(d.Responses) || len(res.Findings) != len(d.Responses) {
		t.Fatalf("%d observations and %d findings for %d responses", len(res.Observations), len(res.Findings), len(d.Responses))
	}
	for i, r := range d.Responses {
		tok := strings.ToLower(r.ControlID)
		if got := sel[0].IncludeControls[i].ControlID; got != tok {
			t.Errorf("reviewed control %d = %q, want %q", i, got, tok)
		}
		obs := res.Observations[i]
		if obs.Title != r.ControlID+" answer" {
			t.Errorf("observation %d title = %q", i, obs.Title)
		}
		if r.Narrative != "" && obs.Description != r.Narrative {
			t.Errorf("observation %s description = %q, want the narrative", r.ControlID, obs.Description)
		}
		if v, _ := oscalPropValue(obs.Props, "status"); v != string(r.Status) {
			t.Errorf("observation %s status = %q", r.ControlID, v)
		}
		if v, ok := oscalPropValue(obs.Props, "verdict"); ok != (r.Verdict != "") || v != string(r.Verdict) {
			t.Errorf("observation %s verdict = %q", r.ControlID, v)
		}
		if r.RemediationDate != nil {
			if v, _ := oscalPropValue(obs.Props, "remediation-date"); v != r.RemediationDate.String() {
				t.Errorf("observation %s remediation date = %q", r.ControlID, v)
			}
		}
		if len(obs.RelevantEvidence) != len(r.EvidenceIDs) {
			t.Errorf("observation %s links %d evidence files, the response %d", r.ControlID, len(obs.RelevantEvidence), len(r.EvidenceIDs))
		}
		for _, ev := range obs.RelevantEvidence {
			if _, ok := resources[strings.TrimPrefix(ev.Href, "#")]; !ok {
				t.Errorf("observation %s links %q, no resource", r.ControlID, ev.Href)
			}
		}
		f := res.Findings[i]
		want := "not-satisfied"
		if r.Status == domain.Implemented && r.Verdict == domain.Accepted {
			want = "satisfied"
		}
		if f.Target.Type != "objective-id" || f.Target.TargetID != tok+"_obj" || f.Target.Status.State != want {
			t.Errorf("finding on %s = %+v, want %s", r.ControlID, f.Target, want)
		}
		raised, _ := oscalPropValue(f.Props, "supervisory-finding")
		if (r.ControlID == d.Findings[0].ControlID) != (raised == d.Findings[0].ID) {
			t.Errorf("finding on %s names supervisory finding %q", r.ControlID, raised)
		}
		if len(f.RelatedObservations) != 1 || f.RelatedObservations[0].ObservationUUID != obs.UUID {
			t.Errorf("finding on %s relates %+v", r.ControlID, f.RelatedObservations)
		}
	}
	if v, _ := oscalPropValue(res.Observations[1].Props, "verdict-comment"); v != "Seen on site. The logs agree." {
		t.Errorf("a comment over lines = %q", v)
	}

	// Every evidence file is a resource with its name, type and SHA-256.
	for _, ev := range d.Evidence {
		i, ok := resources[domain.OSCALUUID("evidence/"+ev.ID)]
		if !ok {
			t.Errorf("no resource for evidence %s", ev.ID)
			continue
		}
		r := ar.BackMatter.Resources[i]
		if r.Title != ev.Filename || len(r.RLinks) != 1 || r.RLinks[0].MediaType != ev.MediaType ||
			len(r.RLinks[0].Hashes) != 1 || r.RLinks[0].Hashes[0].Algorithm != "SHA-256" || r.RLinks[0].Hashes[0].Value != ev.SHA256 {
			t.Errorf("evidence resource %s = %+v", ev.ID, r)
		}
	}
}

func TestOSCALPOAMValidate(t *testing.T) {
	t.Parallel()
	d := oscalFixture(t)
	data := oscalWrite(t, func(b *bytes.Buffer) error { return WritePOAM(b, d) })
	if err := oscalValidate(t, data); err != nil {
		t.Fatalf("the POA&M breaks the OSCAL schema: %v", err)
	}
	// Without findings there is no plan: OSCAL wants at least one item.
	d.Findings = nil
	err := WritePOAM(&bytes.Buffer{}, d)
	var de *domain.Error
	if !errors.As(err, &de) || de.Code != domain.EConflict {
		t.Errorf("a plan without findings = %v, want EConflict", err)
	}
}

func TestOSCALPOAMContent(t *testing.T) {
	t.Parallel()
	d := oscalFixture(t)
	var doc oscalTestPOAM
	if err := json.Unmarshal(oscalWrite(t, func(b *bytes.Buffer) error { return WritePOAM(b, d) }), &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.POAM
	if len(p.BackMatter.Resources) != 1 || p.ImportSSP.Href != "#"+p.BackMatter.Resources[0].UUID {
		t.Errorf("import-ssp %q names no back-matter resource", p.ImportSSP.Href)
	}
	if len(p.POAMItems) != len(d.Findings) || len(p.Risks) != len(d.Findings) {
		t.Fatalf("%d items and %d risks for %d findings", len(p.POAMItems), len(p.Risks), len(d.Findings))
	}
	// Only the finding on a control is an OSCAL finding: it needs a target.
	if len(p.Findings) != 1 || p.Findings[0].Target.TargetID != strings.ToLower(d.Findings[0].ControlID)+"_obj" {
		t.Errorf("findings = %+v", p.Findings)
	}
	risks := map[string]int{}
	for i, r := range p.Risks {
		risks[r.UUID] = i
	}
	wantStatus := map[string]string{"fd-1": "open", "fd-2": "remediating"}
	for i, f := range d.Findings {
		item := p.POAMItems[i]
		if item.Title != oneLine(f.Title) {
			t.Errorf("item %d title = %q, want %q", i, item.Title, f.Title)
		}
		for name, want := range map[string]string{"finding-id": f.ID, "due-date": f.DueAt.String(),
			"severity": string(f.Severity), "status": string(f.Status)} {
			if v, _ := oscalPropValue(item.Props, name); v != want {
				t.Errorf("item %s %s = %q, want %q", f.ID, name, v, want)
			}
		}
		if len(item.RelatedRisks) != 1 {
			t.Fatalf("item %s relates risks %+v", f.ID, item.RelatedRisks)
		}
		r := p.Risks[risks[item.RelatedRisks[0].RiskUUID]]
		if r.Deadline != f.DueAt.String()+"T23:59:59Z" || r.Status != wantStatus[f.ID] {
			t.Errorf("risk of %s = %+v", f.ID, r)
		}
		if (f.ControlID != "") != (len(item.RelatedFindings) == 1) ||
			(f.ControlID != "" && item.RelatedFindings[0].FindingUUID != p.Findings[0].UUID) {
			t.Errorf("item %s relates findings %+v", f.ID, item.RelatedFindings)
		}
	}
	if rem := p.Risks[0].Remediations; len(rem) != 1 || rem[0].Lifecycle != "planned" || rem[0].Description != d.Findings[0].RemediationPlan {
		t.Errorf("remediation of fd-1 = %+v", rem)
	}
}

// The validator is live: documents broken in ways the writers must avoid
// fail the schema.
func TestOSCALSchemaRejectsBrokenDocuments(t *testing.T) {
	t.Parallel()
	d := oscalFixture(t)
	ar := oscalWrite(t, func(b *bytes.Buffer) error { return WriteAssessmentResults(b, d) })
	poam := oscalWrite(t, func(b *bytes.Buffer) error { return WritePOAM(b, d) })
	for name, c := range map[string]struct {
		doc   []byte
		spoil func(doc map[string]any)
	}{
		"results without import-ap": {ar, func(doc map[string]any) {
			delete(doc["assessment-results"].(map[string]any), "import-ap")
		}},
		"an observation without methods": {ar, func(doc map[string]any) {
			res := doc["assessment-results"].(map[string]any)["results"].([]any)[0].(map[string]any)
			delete(res["observations"].([]any)[0].(map[string]any), "methods")
		}},
		"a target state outside the list": {ar, func(doc map[string]any) {
			res := doc["assessment-results"].(map[string]any)["results"].([]any)[0].(map[string]any)
			target := res["findings"].([]any)[0].(map[string]any)["target"].(map[string]any)
			target["status"].(map[string]any)["state"] = "maybe"
		}},
		"a control id that is no token": {ar, func(doc map[string]any) {
			res := doc["assessment-results"].(map[string]any)["results"].([]any)[0].(map[string]any)
			sel := res["reviewed-controls"].(map[string]any)["control-selections"].([]any)[0].(map[string]any)
			sel["include-controls"].([]any)[0].(map[string]any)["control-id"] = "1 bad"
		}},
		"a plan without items": {poam, func(doc map[string]any) {
			doc["plan-of-action-and-milestones"].(map[string]any)["poam-items"] = []any{}
		}},
		"a deadline without a zone": {poam, func(doc map[string]any) {
			doc["plan-of-action-and-milestones"].(map[string]any)["risks"].([]any)[0].(map[string]any)["deadline"] = "2027-06-30T23:59:59"
		}},
	} {
		var doc map[string]any
		if err := json.Unmarshal(c.doc, &doc); err != nil {
			t.Fatal(err)
		}
		c.spoil(doc)
		data, _ := json.Marshal(doc)
		if oscalValidate(t, data) == nil {
			t.Errorf("%s passes the schema", name)
		}
	}
}

func TestOSCALDeterministic(t *testing.T) {
	t.Parallel()
	for name, write := range map[string]func(*bytes.Buffer, AssessmentData) error{
		"assessment-results": func(b *bytes.Buffer, d AssessmentData) error { return WriteAssessmentResults(b, d) },
		"poam":               func(b *bytes.Buffer, d AssessmentData) error { return WritePOAM(b, d) },
	} {
		a := oscalWrite(t, func(b *bytes.Buffer) error { return write(b, oscalFixture(t)) })
		// The same state read again, at another time and in another order.
		d := oscalFixture(t)
		d.GeneratedAt = d.GeneratedAt.Add(time.Hour)
		d.Evidence[0], d.Evidence[1] = d.Evidence[1], d.Evidence[0]
		d.Findings[0], d.Findings[1] = d.Findings[1], d.Findings[0]
		b := oscalWrite(t, func(b *bytes.Buffer) error { return write(b, d) })
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two writes of the same state", name)
		}
	}
}
