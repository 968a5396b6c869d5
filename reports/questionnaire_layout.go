package reports

import (
	"strings"

	"assure/domain"
)

// The questionnaire's layout is a contract between WriteQuestionnaire and the
// reader of uploads in the application layer: the names and positions here
// are the only ones either side uses.

// QuestionnaireFormat is the layout's name, written in the metadata sheet;
// a reader refuses a file of any other format.
const QuestionnaireFormat = "assure-questionnaire/1"

// Sheets of the questionnaire that a reader looks at, and the keys of the
// metadata rows it reads.
const (
	QuestionnaireSheet          = "Questionnaire" // one row per applicable control
	QuestionnaireMetaSheet      = "assure"        // very hidden; a key in column A, its value in B
	QuestionnaireMetaFormat     = "format"
	QuestionnaireMetaAssessment = "assessment_id"
)

// MaxQuestionnaireBytes bounds an uploaded questionnaire; the instructions
// sheet states it.
const MaxQuestionnaireBytes = 10 << 20

// QuestionnaireColumn is the position (0-based) of a column of the
// Questionnaire sheet. The exported ones are those read back.
type QuestionnaireColumn int

const (
	QnControlID QuestionnaireColumn = iota
	qnSection
	qnTitle
	qnDescription
	qnQuestion
	qnEvidence
	QnStatus
	QnMaturity
	QnNarrative
	QnRemediationDate
	QnJustification
	QnVersion // hidden: the response version the row was written from
)

// qnColumns gives each column its header and width; keyed by position, so a
// header cannot drift from the constant naming its column.
var qnColumns = [...]xlColumn{
	QnControlID: {"Control ID", 11}, qnSection: {"Section", 9}, qnTitle: {"Title", 30},
	qnDescription: {"Description", 50}, qnQuestion: {"Audit question", 40}, qnEvidence: {"Expected evidence", 36},
	QnStatus: {"Status", 16}, QnMaturity: {"Maturity", 10}, QnNarrative: {"Narrative", 50},
	QnRemediationDate: {"Remediation date", 14}, QnJustification: {"Justification", 40}, QnVersion: {"Version", 8},
}

// QuestionnaireHeaders returns the Questionnaire sheet's header row, indexed
// by QuestionnaireColumn. The slice is the caller's.
func QuestionnaireHeaders() []string {
	out := make([]string, len(qnColumns))
	for i, c := range qnColumns {
		out[i] = c.name
	}
	return out
}

// QuestionnaireStatuses names the answers a Status cell takes, as the
// instructions and the messages about a bad cell list them.
func QuestionnaireStatuses() string {
	names := make([]string, len(domain.ResponseStatuses))
	for i, s := range domain.ResponseStatuses {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}

// QuestionnaireHeadersIn returns the Questionnaire sheet's header row as the
// questionnaire in language l writes it, indexed by QuestionnaireColumn. It
// fails only when the reports' catalog cannot be read.
func QuestionnaireHeadersIn(l domain.Language) ([]string, error) {
	p, err := printerFor(l)
	if err != nil {
		return nil, err
	}
	out := make([]string, len(qnColumns))
	for i, c := range qnColumns {
		out[i] = p.Say(c.name)
	}
	return out, nil
}

// QuestionnaireStatusNames returns the names of the answers in every
// language ("Partially implemented", "Partiellement mise en œuvre"), so that
// a Status cell holding one is read as that answer. It fails only when the
// reports' catalog cannot be read.
func QuestionnaireStatusNames() (map[string]domain.ResponseStatus, error) {
	out := map[string]domain.ResponseStatus{}
	for _, l := range domain.Languages {
		p, err := printerFor(l)
		if err != nil {
			return nil, err
		}
		for _, s := range domain.ResponseStatuses {
			out[p.Name(s)] = s
		}
	}
	return out, nil
}
