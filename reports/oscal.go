package reports

// OSCAL exports of one assessment: its results (OSCAL assessment-results)
// and the plan that follows from its supervisory findings (OSCAL plan of
// action and milestones), both in OSCAL's JSON form, version
// domain.OSCALVersion.
//
// Assessment results:
//
//   - metadata: the provider and the regulator as parties (roles
//     "assessed-provider" and "supervisor"); last-modified is the
//     assessment's last change.
//   - import-ap: a fragment link to a back-matter resource describing the
//     campaign and its framework, which stands in for the assessment plan
//     Assure does not keep as a document of its own.
//   - one result: the filing (start = submitted, or opened when never filed;
//     end = decided), reviewed-controls listing every answered control by its
//     OSCAL token (the token the catalog export gives it).
//   - an observation per response: the narrative, with status, maturity,
//     remediation date, verdict and verdict comment as props in Assure's
//     namespace, and relevant-evidence linking the evidence files.
//   - a finding per response, targeting its control's assessment objective
//     (the "<token>_obj" part of the catalog export; the control id is also
//     a prop of the target): satisfied when the control is implemented and
//     the verdict accepted, not-satisfied otherwise; the supervisory
//     findings raised on the control are named in its props.
//   - back-matter: the campaign resource, and one resource per evidence file
//     (its name, media type and SHA-256; never its content).
//
// Plan of action and milestones:
//
//   - import-ssp: a fragment link to a back-matter resource describing the
//     provider's services, and system-id naming the provider.
//   - per supervisory finding: a risk (status, deadline = due date,
//     severity as a characterization, the remediation plan as a
//     remediation), an OSCAL finding when it concerns a control, and a
//     poam-item tying them together, with severity, due date, status and
//     plan also as props.
//
// UUIDs are name-based (domain.OSCALUUID), and nothing depends on the clock
// or on map order: the same state gives the same document.

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"assure/domain"
)

// WriteAssessmentResults writes the assessment as one OSCAL
// assessment-results document.
func WriteAssessmentResults(w io.Writer, d AssessmentData) error {
	x := newOSCALExport(d)
	as := d.Assessment
	sub := x.submission()

	campaign := x.campaignResource()
	resources := []oscalResource{campaign}
	evidence := map[string]string{} // evidence id → resource uuid
	for _, ev := range x.evidence() {
		r := evidenceResource(ev)
		evidence[ev.ID] = r.UUID
		resources = append(resources, r)
	}

	res := oscalResult{
		UUID:  domain.OSCALUUID(fmt.Sprintf("assessment-results/%s/%d/result", as.ID, sub)),
		Title: oneLine(fmt.Sprintf("Self-assessment of %s in %s", x.providerName(), x.campaignName())),
		Description: fmt.Sprintf("The answers of %s to the controls of %s asked by campaign %s, and the supervisor's verdicts on them.",
			x.providerName(), x.frameworkName(), x.campaignName()),
		Start: oscalTime(x.start()),
		Props: []oscalProp{assureProp("assessment-id", as.ID), assureProp("assessment-status", string(as.Status))},
	}
	decided := d.DecidedAt
	if decided == nil {
		decided = as.DecidedAt
	}
	if decided != nil && (as.Status == domain.StatusApproved || as.Status == domain.StatusRejected) {
		res.End = oscalTime(*decided)
	}
	if d.Submission != nil {
		res.Props = append(res.Props, assureProp("submission", strconv.Itoa(d.Submission.Version)))
		if d.Submission.Late {
			res.Props = append(res.Props, assureProp("filed-late", "true"))
		}
		if d.Submission.Seal != "" {
			res.Props = append(res.Props, assureProp("seal", d.Submission.Seal))
		}
	}
	if d.DecidedBy != "" {
		res.Props = append(res.Props, assureProp("decided-by", d.DecidedBy))
	}
	res.Props = compactProps(res.Props)

	var include []oscalControlRef
	for _, r := range d.Responses {
		include = append(include, oscalControlRef{ControlID: x.token(r.ControlID)})
	}
	if len(include) > 0 {
		res.ReviewedControls.ControlSelections = []oscalControlSelection{{IncludeControls: include}}
	} else {
		res.ReviewedControls.ControlSelections = []oscalControlSelection{{IncludeAll: &struct{}{}}}
	}
	res.ReviewedControls.Description = fmt.Sprintf("The controls of %s that apply to the provider.", x.frameworkName())

	for _, r := range d.Responses {
		name := fmt.Sprintf("assessment-results/%s/%d/%s", as.ID, sub, r.ControlID)
		obs := oscalObservation{
			UUID:        domain.OSCALUUID(name + "/observation"),
			Title:       oneLine(r.ControlID + " answer"),
			Description: r.Narrative,
			Methods:     []string{"EXAMINE"},
			Types:       []string{"control-objective"},
			Origins:     []oscalOrigin{{Actors: []oscalActor{{Type: "party", ActorUUID: x.providerParty}}}},
			Collected:   oscalTime(x.collected(r)),
			Remarks:     r.Justification,
		}
		if strings.TrimSpace(obs.Description) == "" {
			obs.Description = "No narrative given."
		}
		obs.Props = responseProps(r)
		for _, id := range r.EvidenceIDs {
			if uuid, ok := evidence[id]; ok {
				obs.RelevantEvidence = append(obs.RelevantEvidence, oscalEvidenceRef{Href: "#" + uuid,
					Description: "Evidence file " + x.evidenceName(id) + "."})
			}
		}
		res.Observations = append(res.Observations, obs)

		state, reason := "not-satisfied", "other"
		switch {
		case r.Status == domain.Implemented && r.Verdict == domain.Accepted:
			state, reason = "satisfied", "pass"
		case r.Verdict == domain.Rejected || r.Status.Gap():
			reason = "fail"
		}
		var raised []oscalProp // the supervisory findings on the control, planned in the POA&M
		for _, f := range d.Findings {
			if f.ControlID == r.ControlID {
				raised = append(raised, assureProp("supervisory-finding", f.ID))
			}
		}
		res.Findings = append(res.Findings, oscalFinding{
			UUID:        domain.OSCALUUID(name + "/finding"),
			Title:       oneLine("Control " + r.ControlID),
			Description: responseFinding(r),
			Props:       compactProps(raised),
			Target: oscalTarget{Type: "objective-id", TargetID: x.objective(r.ControlID), Title: oneLine("Control " + r.ControlID),
				Props:  []oscalProp{assureProp("control-id", r.ControlID)},
				Status: oscalTargetStatus{State: state, Reason: reason}},
			RelatedObservations: []oscalRelated{{ObservationUUID: obs.UUID}},
		})
	}

	doc := oscalAssessmentResults{
		UUID:     domain.OSCALUUID(fmt.Sprintf("assessment-results/%s/%d", as.ID, sub)),
		Metadata: x.metadata("Assessment results: %s — %s", as.UpdatedAt, strconv.Itoa(sub)+"."+strconv.Itoa(as.Version)),
		ImportAP: oscalImport{Href: "#" + campaign.UUID,
			Remarks: "Assure keeps no assessment plan document: the campaign and its framework, described in the back matter, are the plan."},
		Results:    []oscalResult{res},
		BackMatter: &oscalBackMatter{Resources: resources},
	}
	return writeOSCAL(w, map[string]any{"assessment-results": doc})
}

// WritePOAM writes the supervisory findings of the assessment as one OSCAL
// plan of action and milestones. An assessment without findings has no
// plan: OSCAL asks for at least one item, so that is EConflict.
func WritePOAM(w io.Writer, d AssessmentData) error {
	if len(d.Findings) == 0 {
		return domain.Errorf(domain.EConflict, "the assessment has no findings: a plan of action and milestones needs at least one")
	}
	x := newOSCALExport(d)
	as := d.Assessment
	findings := slices.Clone(d.Findings)
	slices.SortStableFunc(findings, func(a, b domain.Finding) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})

	// The plan's identity and version follow the state of its findings.
	var state strings.Builder
	state.WriteString("poam/" + as.ID)
	modified := as.UpdatedAt
	versions := 0
	for _, f := range findings {
		fmt.Fprintf(&state, "/%s:%d", f.ID, f.Version)
		versions += f.Version
		if f.UpdatedAt.After(modified) {
			modified = f.UpdatedAt
		}
	}

	system := x.systemResource()
	doc := oscalPOAM{
		UUID:       domain.OSCALUUID(state.String()),
		Metadata:   x.metadata("Plan of action and milestones: %s — %s", modified, strconv.Itoa(len(findings))+"."+strconv.Itoa(versions)),
		ImportSSP:  &oscalImport{Href: "#" + system.UUID, Remarks: "Assure keeps no system security plan: the provider's services, described in the back matter, are the system."},
		SystemID:   &oscalSystemID{IdentifierType: domain.OSCALNamespace, ID: d.Provider.ID},
		BackMatter: &oscalBackMatter{Resources: []oscalResource{system}},
	}
	if doc.SystemID.ID == "" {
		doc.SystemID.ID = as.ProviderID
	}
	regulator := []oscalOrigin{{Actors: []oscalActor{{Type: "party", ActorUUID: x.regulatorParty}}}}
	for _, f := range findings {
		name := "poam/" + f.ID
		desc := f.Description
		if strings.TrimSpace(desc) == "" {
			desc = f.Title
		}
		props := compactProps([]oscalProp{
			assureProp("finding-id", f.ID),
			assureProp("severity", string(f.Severity)),
			assureProp("due-date", dateString(f.DueAt)),
			assureProp("status", string(f.Status)),
			assureProp("control-id", f.ControlID),
			assureProp("remediation-plan", f.RemediationPlan),
		})
		risk := oscalRisk{
			UUID:        domain.OSCALUUID(name + "/risk"),
			Title:       titleLine(f.Title, "Finding"),
			Description: desc,
			Statement:   fmt.Sprintf("A %s-severity finding of the supervisor, to be remediated by %s.", f.Severity, dateString(f.DueAt)),
			Status:      riskStatus(f.Status),
			Props:       props,
			Origins:     regulator,
			Characterizations: []oscalCharacterization{{
				Origin: oscalOrigin{Actors: []oscalActor{{Type: "party", ActorUUID: x.regulatorParty}}},
				Facets: []oscalFacet{{Name: "severity", System: domain.OSCALNamespace, Value: string(f.Severity)}},
			}},
		}
		if !f.DueAt.IsZero() {
			risk.Deadline = oscalTime(f.DueAt.Time().Add(24*time.Hour - time.Second))
		}
		if plan := strings.TrimSpace(f.RemediationPlan); plan != "" {
			lifecycle := "planned"
			if f.Status == domain.FindingResolved || f.Status == domain.FindingVerified {
				lifecycle = "completed"
			}
			risk.Remediations = []oscalRemediation{{UUID: domain.OSCALUUID(name + "/remediation"), Lifecycle: lifecycle,
				Title: "Remediation plan", Description: plan}}
		}
		doc.Risks = append(doc.Risks, risk)

		item := oscalPOAMItem{
			UUID:         domain.OSCALUUID(name + "/item"),
			Title:        titleLine(f.Title, "Finding"),
			Description:  desc,
			Props:        props,
			Origins:      regulator,
			RelatedRisks: []oscalRiskRef{{RiskUUID: risk.UUID}},
		}
		if f.ControlID != "" {
			state := "not-satisfied"
			if f.Status == domain.FindingVerified {
				state = "satisfied"
			}
			finding := oscalFinding{
				UUID:        domain.OSCALUUID(name + "/finding"),
				Title:       titleLine(f.Title, "Finding"),
				Description: desc,
				Target: oscalTarget{Type: "objective-id", TargetID: x.objective(f.ControlID), Title: oneLine("Control " + f.ControlID),
					Props:  []oscalProp{assureProp("control-id", f.ControlID)},
					Status: oscalTargetStatus{State: state}},
				RelatedRisks: []oscalRiskRef{{RiskUUID: risk.UUID}},
			}
			doc.Findings = append(doc.Findings, finding)
			item.RelatedFindings = []oscalFindingRef{{FindingUUID: finding.UUID}}
		}
		doc.POAMItems = append(doc.POAMItems, item)
	}
	return writeOSCAL(w, map[string]any{"plan-of-action-and-milestones": doc})
}

// oscalExport is what both documents share: the parties and the tokens of
// the framework's controls.
type oscalExport struct {
	d              AssessmentData
	providerParty  string
	regulatorParty string
	tokens         map[string]string // control id → OSCAL token
	objectives     map[string]string // control id → token of its assessment objective
}

func newOSCALExport(d AssessmentData) *oscalExport {
	providerID := d.Provider.ID
	if providerID == "" {
		providerID = d.Assessment.ProviderID
	}
	x := &oscalExport{d: d, providerParty: domain.OSCALUUID("party/provider/" + providerID),
		regulatorParty: domain.OSCALUUID("party/regulator"), tokens: map[string]string{},
		objectives: map[string]string{}}
	if f := d.Framework; f != nil {
		t := domain.OSCALTokensOf(f)
		x.tokens, x.objectives = t.Control, t.Objective
	}
	return x
}

// objective is the token of a control's assessment objective, the part the
// catalog export gives it: what a finding targets.
func (x *oscalExport) objective(controlID string) string {
	if t, ok := x.objectives[controlID]; ok {
		return t
	}
	return x.token(controlID) + "_obj"
}

// token is the OSCAL token of a control id, as the catalog export gives it.
func (x *oscalExport) token(controlID string) string {
	if t, ok := x.tokens[controlID]; ok {
		return t
	}
	return domain.OSCALToken(controlID)
}

func (x *oscalExport) submission() int {
	if x.d.Submission != nil {
		return x.d.Submission.Version
	}
	return x.d.Assessment.Submissions
}

func (x *oscalExport) providerName() string {
	return firstOf(x.d.Provider.LegalName, x.d.Assessment.ProviderName, "the provider")
}

func (x *oscalExport) campaignName() string {
	return firstOf(x.d.Campaign.Name, x.d.Assessment.CampaignName, "the campaign")
}

func (x *oscalExport) frameworkName() string {
	if f := x.d.Framework; f != nil && f.Title != "" {
		return strings.TrimSpace(f.Title + " " + f.Version)
	}
	return firstOf(strings.TrimSpace(x.d.Campaign.FrameworkID+" "+x.d.Campaign.FrameworkVersion), "its framework")
}

// start is when the result begins: the latest filing, or the assessment's
// opening while it was never filed.
func (x *oscalExport) start() time.Time {
	switch {
	case x.d.Submission != nil:
		return x.d.Submission.SubmittedAt
	case x.d.Assessment.SubmittedAt != nil:
		return *x.d.Assessment.SubmittedAt
	}
	return x.d.Assessment.CreatedAt
}

// collected is when a response was last changed, or the assessment when the
// response has no time of its own.
func (x *oscalExport) collected(r domain.Response) time.Time {
	if !r.UpdatedAt.IsZero() {
		return r.UpdatedAt
	}
	return x.d.Assessment.UpdatedAt
}

// evidence is the assessment's evidence files, in upload order.
func (x *oscalExport) evidence() []domain.Evidence {
	list := slices.Clone(x.d.Evidence)
	slices.SortStableFunc(list, func(a, b domain.Evidence) int {
		if c := strings.Compare(a.UploadedAt, b.UploadedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return list
}

func (x *oscalExport) evidenceName(id string) string {
	for _, ev := range x.d.Evidence {
		if ev.ID == id {
			return oneLine(ev.Filename)
		}
	}
	return id
}

func (x *oscalExport) metadata(title string, modified time.Time, version string) oscalMetadata {
	p := x.d.Provider
	provider := oscalParty{UUID: x.providerParty, Type: "organization", Name: x.providerName(),
		ShortName: strings.TrimSpace(p.ShortName),
		Props: compactProps([]oscalProp{assureProp("provider-id", firstOf(p.ID, x.d.Assessment.ProviderID)),
			assureProp("licence-number", p.LicenceNumber), assureProp("kind", string(p.Kind)), tierProp(p.Tier)})}
	if modified.IsZero() {
		modified = x.start()
	}
	regulator := oscalParty{UUID: x.regulatorParty, Type: "organization", Name: "Supervisory authority",
		Remarks: "The regulator supervising the provider through Assure."}
	return oscalMetadata{
		Title:        oneLine(fmt.Sprintf(title, x.providerName(), x.campaignName())),
		LastModified: oscalTime(modified),
		Version:      version,
		OSCALVersion: domain.OSCALVersion,
		Roles: []oscalRole{{ID: "assessed-provider", Title: "Assessed provider"},
			{ID: "supervisor", Title: "Supervisor"}},
		Parties: []oscalParty{provider, regulator},
		ResponsibleParties: []oscalResponsibleParty{{RoleID: "assessed-provider", PartyUUIDs: []string{x.providerParty}},
			{RoleID: "supervisor", PartyUUIDs: []string{x.regulatorParty}}},
	}
}

// campaignResource describes the campaign and its framework: the plan the
// results follow.
func (x *oscalExport) campaignResource() oscalResource {
	c := x.d.Campaign
	id := firstOf(c.ID, x.d.Assessment.CampaignID)
	desc := fmt.Sprintf("Campaign %s asks the controls of %s", x.campaignName(), x.frameworkName())
	if c.Level != "" {
		desc += " at level " + c.Level
	}
	if !c.OpensAt.IsZero() && !c.DueAt.IsZero() {
		desc += fmt.Sprintf(", open from %s and due by %s", c.OpensAt, c.DueAt)
	}
	desc += "."
	if s := strings.TrimSpace(c.Instructions); s != "" {
		desc += "\n\n" + s
	}
	return oscalResource{
		UUID:        domain.OSCALUUID("campaign/" + id),
		Title:       oneLine("Campaign " + x.campaignName()),
		Description: desc,
		Props: compactProps([]oscalProp{assureProp("campaign-id", id), assureProp("framework-id", c.FrameworkID),
			assureProp("framework-version", c.FrameworkVersion), assureProp("level", c.Level)}),
	}
}

// systemResource describes the provider's services: the system the plan is
// about.
func (x *oscalExport) systemResource() oscalResource {
	p := x.d.Provider
	desc := fmt.Sprintf("The digital financial services of %s", x.providerName())
	if p.Kind != "" {
		desc += fmt.Sprintf(" (%s)", strings.ReplaceAll(string(p.Kind), "_", " "))
	}
	if len(p.Channels) > 0 {
		desc += ", offered through " + strings.Join(p.Channels, ", ")
	}
	desc += "."
	return oscalResource{
		UUID:        domain.OSCALUUID("system/" + firstOf(p.ID, x.d.Assessment.ProviderID)),
		Title:       oneLine("Services of " + x.providerName()),
		Description: desc,
		Props: compactProps([]oscalProp{assureProp("provider-id", firstOf(p.ID, x.d.Assessment.ProviderID)),
			assureProp("licence-number", p.LicenceNumber), assureProp("kind", string(p.Kind)), tierProp(p.Tier)}),
	}
}

// evidenceResource names an evidence file, its type and its SHA-256, and
// where Assure serves it; the content stays in Assure.
func evidenceResource(ev domain.Evidence) oscalResource {
	link := oscalRLink{Href: "/api/v1/evidence/" + ev.ID + "/content", MediaType: strings.TrimSpace(ev.MediaType)}
	if ev.SHA256 != "" {
		link.Hashes = []oscalHash{{Algorithm: "SHA-256", Value: ev.SHA256}}
	}
	r := oscalResource{
		UUID:  domain.OSCALUUID("evidence/" + ev.ID),
		Title: titleLine(ev.Filename, "Evidence "+ev.ID),
		Props: compactProps([]oscalProp{assureProp("evidence-id", ev.ID), assureProp("size", strconv.FormatInt(ev.Size, 10)),
			assureProp("uploaded-at", ev.UploadedAt)}),
		RLinks: []oscalRLink{link},
	}
	return r
}

// responseProps are a response's answer and verdict, in Assure's namespace.
func responseProps(r domain.Response) []oscalProp {
	status := string(r.Status)
	if status == "" {
		status = "unanswered"
	}
	props := []oscalProp{assureProp("control-id", r.ControlID), assureProp("status", status)}
	if r.Maturity != nil {
		props = append(props, assureProp("maturity", strconv.Itoa(*r.Maturity)))
	}
	if r.RemediationDate != nil {
		props = append(props, assureProp("remediation-date", dateString(*r.RemediationDate)))
	}
	props = append(props, assureProp("verdict", string(r.Verdict)), assureProp("verdict-comment", r.VerdictComment))
	if r.VerdictAt != nil {
		props = append(props, assureProp("verdict-at", oscalTime(*r.VerdictAt)))
	}
	return compactProps(props)
}

// responseFinding says in words what a response's finding rests on.
func responseFinding(r domain.Response) string {
	status := strings.ReplaceAll(string(r.Status), "_", " ")
	if status == "" {
		status = "not answered"
	}
	verdict := "no verdict yet"
	if r.Verdict != "" {
		verdict = "verdict " + strings.ReplaceAll(string(r.Verdict), "_", " ")
	}
	s := fmt.Sprintf("The provider declares the control %s; %s.", status, verdict)
	if c := strings.TrimSpace(r.VerdictComment); c != "" {
		s += "\n\n" + c
	}
	return s
}

// riskStatus maps a finding's status onto OSCAL's risk statuses: a resolved
// finding is still being remediated until the supervisor verifies it.
func riskStatus(s domain.FindingStatus) string {
	switch s {
	case domain.FindingOpen:
		return "open"
	case domain.FindingInProgress, domain.FindingResolved:
		return "remediating"
	case domain.FindingVerified:
		return "closed"
	}
	return "open"
}

func tierProp(tier int) oscalProp {
	if tier == 0 {
		return oscalProp{}
	}
	return assureProp("tier", strconv.Itoa(tier))
}

func dateString(d domain.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// oscalTime is t in UTC, RFC 3339 to the second.
func oscalTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// oneLine makes s fit OSCAL's single-line strings: runs of white space,
// line breaks included, become one space, and none lead or trail.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// titleLine is s on one line, or fallback when s is blank.
func titleLine(s, fallback string) string {
	if t := oneLine(s); t != "" {
		return t
	}
	return fallback
}

func assureProp(name, value string) oscalProp {
	return oscalProp{Name: name, NS: domain.OSCALNamespace, Value: oneLine(value)}
}

// compactProps drops the props without a value: OSCAL values are never
// empty.
func compactProps(props []oscalProp) []oscalProp {
	out := props[:0]
	for _, p := range props {
		if p.Name != "" && p.Value != "" {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func writeOSCAL(w io.Writer, doc any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// The OSCAL objects Assure writes, with only the fields it fills.

type oscalAssessmentResults struct {
	UUID       string           `json:"uuid"`
	Metadata   oscalMetadata    `json:"metadata"`
	ImportAP   oscalImport      `json:"import-ap"`
	Results    []oscalResult    `json:"results"`
	BackMatter *oscalBackMatter `json:"back-matter,omitempty"`
}

type oscalPOAM struct {
	UUID       string           `json:"uuid"`
	Metadata   oscalMetadata    `json:"metadata"`
	ImportSSP  *oscalImport     `json:"import-ssp,omitempty"`
	SystemID   *oscalSystemID   `json:"system-id,omitempty"`
	Findings   []oscalFinding   `json:"findings,omitempty"`
	Risks      []oscalRisk      `json:"risks,omitempty"`
	POAMItems  []oscalPOAMItem  `json:"poam-items"`
	BackMatter *oscalBackMatter `json:"back-matter,omitempty"`
}

type oscalMetadata struct {
	Title              string                  `json:"title"`
	LastModified       string                  `json:"last-modified"`
	Version            string                  `json:"version"`
	OSCALVersion       string                  `json:"oscal-version"`
	Roles              []oscalRole             `json:"roles,omitempty"`
	Parties            []oscalParty            `json:"parties,omitempty"`
	ResponsibleParties []oscalResponsibleParty `json:"responsible-parties,omitempty"`
}

type oscalRole struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

type oscalParty struct {
	UUID      string      `json:"uuid"`
	Type      string      `json:"type"`
	Name      string      `json:"name,omitempty"`
	ShortName string      `json:"short-name,omitempty"`
	Props     []oscalProp `json:"props,omitempty"`
	Remarks   string      `json:"remarks,omitempty"`
}

type oscalResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

type oscalProp struct {
	Name  string `json:"name"`
	NS    string `json:"ns,omitempty"`
	Value string `json:"value"`
}

type oscalImport struct {
	Href    string `json:"href"`
	Remarks string `json:"remarks,omitempty"`
}

type oscalSystemID struct {
	IdentifierType string `json:"identifier-type,omitempty"`
	ID             string `json:"id"`
}

type oscalResult struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title"`
	Description      string             `json:"description"`
	Props            []oscalProp        `json:"props,omitempty"`
	Start            string             `json:"start"`
	End              string             `json:"end,omitempty"`
	ReviewedControls oscalReviewed      `json:"reviewed-controls"`
	Observations     []oscalObservation `json:"observations,omitempty"`
	Findings         []oscalFinding     `json:"findings,omitempty"`
}

type oscalReviewed struct {
	Description       string                  `json:"description,omitempty"`
	ControlSelections []oscalControlSelection `json:"control-selections"`
}

type oscalControlSelection struct {
	IncludeAll      *struct{}         `json:"include-all,omitempty"`
	IncludeControls []oscalControlRef `json:"include-controls,omitempty"`
}

type oscalControlRef struct {
	ControlID string `json:"control-id"`
}

type oscalObservation struct {
	UUID             string             `json:"uuid"`
	Title            string             `json:"title,omitempty"`
	Description      string             `json:"description"`
	Props            []oscalProp        `json:"props,omitempty"`
	Methods          []string           `json:"methods"`
	Types            []string           `json:"types,omitempty"`
	Origins          []oscalOrigin      `json:"origins,omitempty"`
	RelevantEvidence []oscalEvidenceRef `json:"relevant-evidence,omitempty"`
	Collected        string             `json:"collected"`
	Remarks          string             `json:"remarks,omitempty"`
}

type oscalOrigin struct {
	Actors []oscalActor `json:"actors"`
}

type oscalActor struct {
	Type      string `json:"type"`
	ActorUUID string `json:"actor-uuid"`
}

type oscalEvidenceRef struct {
	Href        string `json:"href"`
	Description string `json:"description"`
}

type oscalFinding struct {
	UUID                string         `json:"uuid"`
	Title               string         `json:"title"`
	Description         string         `json:"description"`
	Props               []oscalProp    `json:"props,omitempty"`
	Target              oscalTarget    `json:"target"`
	RelatedObservations []oscalRelated `json:"related-observations,omitempty"`
	RelatedRisks        []oscalRiskRef `json:"related-risks,omitempty"`
}

type oscalTarget struct {
	Type     string            `json:"type"`
	TargetID string            `json:"target-id"`
	Title    string            `json:"title,omitempty"`
	Props    []oscalProp       `json:"props,omitempty"`
	Status   oscalTargetStatus `json:"status"`
}

type oscalTargetStatus struct {
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

type oscalRelated struct {
	ObservationUUID string `json:"observation-uuid"`
}

type oscalRiskRef struct {
	RiskUUID string `json:"risk-uuid"`
}

type oscalFindingRef struct {
	FindingUUID string `json:"finding-uuid"`
}

type oscalRisk struct {
	UUID              string                  `json:"uuid"`
	Title             string                  `json:"title"`
	Description       string                  `json:"description"`
	Statement         string                  `json:"statement"`
	Props             []oscalProp             `json:"props,omitempty"`
	Status            string                  `json:"status"`
	Origins           []oscalOrigin           `json:"origins,omitempty"`
	Characterizations []oscalCharacterization `json:"characterizations,omitempty"`
	Deadline          string                  `json:"deadline,omitempty"`
	Remediations      []oscalRemediation      `json:"remediations,omitempty"`
}

type oscalCharacterization struct {
	Origin oscalOrigin  `json:"origin"`
	Facets []oscalFacet `json:"facets"`
}

type oscalFacet struct {
	Name   string `json:"name"`
	System string `json:"system"`
	Value  string `json:"value"`
}

type oscalRemediation struct {
	UUID        string `json:"uuid"`
	Lifecycle   string `json:"lifecycle"`
	Title       string `json:"title"`
	Description string `json:"description"`
}

type oscalPOAMItem struct {
	UUID            string            `json:"uuid"`
	Title           string            `json:"title"`
	Description     string            `json:"description"`
	Props           []oscalProp       `json:"props,omitempty"`
	Origins         []oscalOrigin     `json:"origins,omitempty"`
	RelatedFindings []oscalFindingRef `json:"related-findings,omitempty"`
	RelatedRisks    []oscalRiskRef    `json:"related-risks,omitempty"`
}

type oscalBackMatter struct {
	Resources []oscalResource `json:"resources,omitempty"`
}

type oscalResource struct {
	UUID        string       `json:"uuid"`
	Title       string       `json:"title,omitempty"`
	Description string       `json:"description,omitempty"`
	Props       []oscalProp  `json:"props,omitempty"`
	RLinks      []oscalRLink `json:"rlinks,omitempty"`
}

type oscalRLink struct {
	Href      string      `json:"href"`
	MediaType string      `json:"media-type,omitempty"`
	Hashes    []oscalHash `json:"hashes,omitempty"`
}

type oscalHash struct {
	Algorithm string `json:"algorithm"`
	Value     string `json:"value"`
}
