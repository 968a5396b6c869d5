package reports

import (
	"io"
	"strings"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/texts"
)

// ResponseSource yields the sector's responses in order, calling emit for each.
type ResponseSource func(emit func(ResponseRow) error) error

// Columns of the sector workbook's tables, in the report's language.

func xlStatusColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Provider"), 30}, {p.T("Licence"), 16}, {p.T("Kind"), 26}, {p.T("Tier"), 8}, {p.T("Status"), 18},
		{p.T("Filing"), 14}, {p.T("Submitted at (UTC)"), 19},
	}
}

func xlPriorityColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Rank"), 6}, {p.T("Provider"), 30}, {p.T("Kind"), 26}, {p.T("Tier"), 8}, {p.T("Priority"), 10},
		{p.T("Risk index"), 10}, {p.T("Filed"), 8}, {p.T("Filing overdue"), 10}, {p.T("Overdue findings"), 10},
		{p.T("Findings weight"), 10}, {p.T("Last on-site inspection"), 14}, {p.T("Inspection gap"), 10},
		{p.T("Top threats"), 40}, {p.T("Worst dimensions"), 40},
	}
}

func xlOverdueColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Provider"), 30}, {p.T("Title"), 40}, {p.T("Control"), 10}, {p.T("Severity"), 10}, {p.T("Status"), 12},
		{p.T("Due"), 12}, {p.T("Days overdue"), 9},
	}
}

func xlRegisterColumns(p texts.Printer) []xlColumn {
	return []xlColumn{
		{p.T("Provider"), 30}, {p.T("Licence"), 16}, {p.T("Control ID"), 11}, {p.T("Section"), 9},
		{p.T("Status"), 16}, {p.T("Maturity"), 9}, {p.T("Remediation date"), 14}, {p.T("Verdict"), 14},
		{p.T("Evidence"), 9}, {p.T("Updated at (UTC)"), 19},
	}
}

// xlSectorSheets names the sector workbook's sheets, in order.
func xlSectorSheets(p texts.Printer) []string {
	return []string{p.T("Summary"), p.T("Submission status"), p.T("Priorities"), p.T("Dimensions"), p.T("Stages"),
		p.T("Overdue findings"), p.T("Responses")}
}

// xlProgressEvery is how many register rows pass between progress calls.
const xlProgressEvery = 1000

// WriteSectorXLSX writes a campaign's sector workbook in the language d.Lang.
// The response register is written with excelize's StreamWriter as rows
// arrive, so memory stays flat however many rows there are. progress, when
// not nil, is called every 1,000 register rows with the number written so
// far. A provider without numbers on the report's basis is said to be so
// ("not filed"), never shown as 0 %. It returns the first error of rows, of
// building the workbook or of writing to w.
func WriteSectorXLSX(w io.Writer, d SectorData, rows ResponseSource, progress func(done int)) error {
	p, err := printerFor(d.Lang)
	if err != nil {
		return err
	}
	sheets := xlSectorSheets(p)
	report := p.T("Sector report: %s", d.Campaign.Name)
	b := newReportBook(p, report, p.T("Generated %s", p.Time(d.GeneratedAt)), sheets...)
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Creator: "Assure", Title: report, Language: string(p.Language())}))
	// While the campaign can still change the figures, every page says so.
	b.mark = SectorDraftMark(p, d)
	b.sectorSummary(sheets[0], d)

	s := b.wrappedTable(sheets[1], xlStatusColumns(p))
	for _, sp := range d.Providers {
		s.add(sp.Name, sp.Licence, p.ProviderKindName(sp.Kind), sp.Tier, p.Name(sp.Status), filingName(p, sp.Filing),
			sp.SubmittedAt)
	}
	s.filter()
	s.close()

	s = b.wrappedTable(sheets[2], xlPriorityColumns(p))
	for _, r := range d.Priorities {
		// The risk index of a provider that has not filed is no measure of
		// its answers; the priority still ranks it.
		var risk any = p.T("not filed")
		if r.Filed {
			risk = excelize.Cell{StyleID: b.decimal, Value: r.RiskIndex}
		}
		s.add(r.Rank, r.Name, p.ProviderKindName(r.Kind), r.Tier, excelize.Cell{StyleID: b.decimal, Value: r.Priority},
			risk, b.yesNo(r.Filed), b.yesNo(r.FilingOverdue), r.OverdueFindings,
			excelize.Cell{StyleID: b.decimal, Value: r.FindingsWeight}, lastOnSite(p, r.LastOnSite),
			excelize.Cell{StyleID: b.decimal, Value: r.InspectionGap}, PriorityThreats(p, r), PriorityDimensions(p, r))
	}
	s.filter()
	s.close()

	b.sectorFacets(sheets[3], sheets[4], d)

	s = b.wrappedTable(sheets[5], xlOverdueColumns(p))
	today := domain.DateOf(d.GeneratedAt)
	for _, f := range d.Overdue {
		days := int(today.Time().Sub(f.DueAt.Time()).Hours() / 24)
		s.add(f.ProviderName, f.Title, f.ControlID, b.levelCell(domain.RiskLevel(f.Severity)), p.Name(f.Status),
			f.DueAt, days)
	}
	s.filter()
	s.close()

	if err := b.register(sheets[6], rows, progress); err != nil {
		b.f.Close()
		return err
	}
	return b.write(w)
}

func (b *xlBook) sectorSummary(name string, d SectorData) {
	p := b.p
	s := b.sheet(name)
	// Labels in A and their values in B; the matrix has its row labels in
	// B and its cells in C to G.
	s.columns([]float64{34, 44, 14, 14, 14, 14, 14}, []int{1, 2, 3, 4, 5, 6, 7}, nil)
	s.add(excelize.Cell{StyleID: b.title, Value: b.report})
	if b.mark != "" {
		s.add(excelize.Cell{StyleID: b.bold, Value: b.mark})
	}
	s.skip(1)
	label := func(name string, value any) { s.add(excelize.Cell{StyleID: b.bold, Value: name}, value) }
	label(p.T("Campaign"), d.Campaign.Name)
	if f := d.Framework; f != nil {
		label(p.T("Framework"), strings.TrimSpace(f.Title+" ("+f.ID+" "+f.Version+")"))
	} else {
		label(p.T("Framework"), d.Campaign.FrameworkID+" "+d.Campaign.FrameworkVersion)
	}
	label(p.T("Opens"), d.Campaign.OpensAt)
	label(p.T("Due"), d.Campaign.DueAt)
	label(p.T("Basis"), basisName(p, d.Basis))
	label(p.T("Generated at (UTC)"), d.GeneratedAt)
	label(p.T("Generated by"), d.GeneratedBy)
	filing := map[FilingState]int{}
	for _, sp := range d.Providers {
		filing[sp.Filing]++
	}
	n := len(d.Providers)
	label(p.T("Providers"), n)
	label(p.T("Filed on time"), filing[FiledOnTime])
	label(p.T("Filed late"), filing[FiledLate])
	label(p.T("Not filed"), filing[NotFiled])
	label(p.T("Providers in the risk matrix"), d.MatrixProviders)
	label(p.T("Providers without numbers"), d.MatrixMissing)
	s.add(excelize.Cell{StyleID: b.bold, Value: p.T("In short")}, plural(p, n,
		p.T("%d provider in the campaign: %d in the risk matrix, %d without numbers on this basis.", n,
			d.MatrixProviders, d.MatrixMissing),
		p.T("%d providers in the campaign: %d in the risk matrix, %d without numbers on this basis.", n,
			d.MatrixProviders, d.MatrixMissing)))

	s.skip(1)
	pairs := 0
	for _, row := range d.Matrix {
		for _, c := range row {
			pairs += c
		}
	}
	s.add(excelize.Cell{StyleID: b.bold, Value: plural(p, pairs,
		p.T("Residual risk matrix: %d provider–threat pair", pairs),
		p.T("Residual risk matrix: %d provider–threat pairs", pairs))})
	head := []any{nil, excelize.Cell{StyleID: b.header, Value: p.T("Likelihood \\ Impact")}}
	for i := 1; i <= 5; i++ {
		head = append(head, excelize.Cell{StyleID: b.header, Value: i})
	}
	s.add(head...)
	for l := 5; l >= 1; l-- {
		row := []any{nil, excelize.Cell{StyleID: b.header, Value: l}}
		for i := 1; i <= 5; i++ {
			row = append(row, b.matrixCell(d.Matrix[l-1][i-1], domain.LevelOf(l*i)))
		}
		s.add(row...)
	}
	// The cells' colours say the level of likelihood × impact; the legend
	// says it in words.
	s.add(append([]any{nil, excelize.Cell{StyleID: b.bold, Value: p.T("Level of the cell")}}, b.levelLegend()...)...)
	s.close()
}

// sectorFacets writes the provider × dimension and provider × stage sheets.
// A provider without numbers says "not filed" in its first value column and
// leaves the others empty, as the heatmaps show it n/a.
func (b *xlBook) sectorFacets(dimSheet, stageSheet string, d SectorData) {
	p := b.p
	var dims []domain.Dimension
	var stages []domain.Stage
	if d.Framework != nil {
		dims, stages = d.Framework.Dimensions, d.Framework.Stages
	}
	notFiled := p.T("not filed")
	cols := []xlColumn{{p.T("Provider"), 30}, {p.T("Overall"), 11}}
	for _, dim := range dims {
		cols = append(cols, xlColumn{dim.Name, 16})
	}
	s := b.wrappedTable(dimSheet, cols)
	for _, sp := range d.Providers {
		if sp.Source == "" {
			s.add(sp.Name, notFiled)
			continue
		}
		row := []any{sp.Name, b.complianceCell(sp.Overall)}
		for _, dim := range dims {
			row = append(row, b.complianceCell(sp.Dimensions[dim.ID]))
		}
		s.add(row...)
	}
	s.filter()
	s.close()

	cols = []xlColumn{{p.T("Provider"), 30}, {p.T("Highest score"), 11}, {p.T("Level"), 11}}
	for _, st := range stages {
		cols = append(cols, xlColumn{st.Name, 16})
	}
	s = b.wrappedTable(stageSheet, cols)
	for _, sp := range d.Providers {
		if sp.Source == "" {
			s.add(sp.Name, notFiled)
			continue
		}
		worst := domain.LevelOf(sp.MaxScore)
		row := []any{sp.Name, b.scoreCell(sp.MaxScore, worst), b.levelCell(worst)}
		for _, st := range stages {
			row = append(row, b.levelCell(sp.Stages[st.ID]))
		}
		s.add(row...)
	}
	s.filter()
	s.close()
}

// register streams the response register, the workbook's long sheet. It
// reads nothing from rows once the workbook has failed.
func (b *xlBook) register(name string, rows ResponseSource, progress func(done int)) error {
	if b.err != nil {
		return b.err
	}
	p := b.p
	s := b.wrappedTable(name, xlRegisterColumns(p))
	if s.err != nil {
		return s.err
	}
	// The register's names repeat on every row; look each up once.
	statuses, verdicts := map[domain.ResponseStatus]string{}, map[domain.Verdict]string{}
	for _, st := range domain.ResponseStatuses {
		statuses[st] = p.Name(st)
	}
	for _, v := range []domain.Verdict{domain.Accepted, domain.NeedsInfo, domain.Rejected} {
		verdicts[v] = p.Name(v)
	}
	err := rows(func(r ResponseRow) error {
		status, ok := statuses[r.Status]
		if !ok {
			status = string(r.Status)
		}
		verdict, ok := verdicts[r.Verdict]
		if !ok {
			verdict = string(r.Verdict)
		}
		s.add(r.Provider, r.Licence, r.ControlID, r.Section, status, r.Maturity, r.RemediationDate,
			verdict, r.Evidence, r.UpdatedAt)
		if s.err != nil {
			return s.err
		}
		if done := s.row - 1; progress != nil && done%xlProgressEvery == 0 {
			progress(done)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.filter()
	return s.close()
}

// lastOnSite is the date of a provider's last on-site inspection, or says
// there has been none.
func lastOnSite(p texts.Printer, d domain.Date) any {
	if d.IsZero() {
		return p.T("never")
	}
	return d.String()
}
