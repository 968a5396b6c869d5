package reports

import (
	"archive/zip"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/texts"
)

// The XLSX writers share this machinery: a workbook holding the styles every
// report uses, and sheets written row by row through excelize's StreamWriter,
// so a sheet costs the same memory however long it is.

// Number formats of date, date-time and percentage cells.
const (
	xlDateFormat     = "yyyy-mm-dd"
	xlDateTimeFormat = "yyyy-mm-dd hh:mm:ss"
	xlPercentFormat  = "0.0%"
	xlDecimalFormat  = "0.00"
)

// xlBook is an excelize file being written, with its common styles. The
// first error met sticks and is returned by write.
type xlBook struct {
	f      *excelize.File
	p      texts.Printer // of every word the workbook shows
	report string        // the report's name, in every page header
	mark   string        // why the report is a draft, or "": then every page header says DRAFT
	footer string        // the left-hand footer of every page
	err    error

	header, title, bold, wrap int
	date, dateTime, percent   int
	decimal                   int
	fills                     map[xlFillKey]int // styles of coloured cells, made as they are first needed
}

// xlFillKey names a coloured cell style: a fill and the number format of
// the value it carries ("" for text and plain numbers).
type xlFillKey struct{ fill, format string }

// xlFraction is a 0–1 value shown as a percentage.
type xlFraction float64

// xlColumn is one column of a table: its header and width.
type xlColumn struct {
	name  string
	width float64
}

// newXLBook starts a workbook in English with the given sheets, in order,
// printing without a report name.
func newXLBook(sheets ...string) *xlBook {
	p, err := printerFor(domain.English)
	b := newReportBook(p, "", "", sheets...)
	b.fail(err)
	return b
}

// newReportBook starts a workbook whose words p prints, with the given
// sheets, in order; report names it in the page headers and footer is
// written in the page footers.
func newReportBook(p texts.Printer, report, footer string, sheets ...string) *xlBook {
	b := &xlBook{f: excelize.NewFile(), p: p, report: report, footer: footer, fills: map[xlFillKey]int{}}
	b.fail(b.f.SetSheetName(b.f.GetSheetName(0), sheets[0]))
	for _, name := range sheets[1:] {
		_, err := b.f.NewSheet(name)
		b.fail(err)
	}
	b.fail(b.f.SetDocProps(&excelize.DocProperties{Creator: "Assure"}))
	b.header = b.style(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"#DDE4EE"}},
		Border:    []excelize.Border{{Type: "bottom", Color: "#7F8FA6", Style: 1}},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true},
	})
	b.title = b.style(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 14}})
	b.bold = b.style(&excelize.Style{Font: &excelize.Font{Bold: true},
		Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	b.wrap = b.style(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	b.date = b.numFmt(xlDateFormat)
	b.dateTime = b.numFmt(xlDateTimeFormat)
	b.percent = b.numFmt(xlPercentFormat)
	b.decimal = b.numFmt(xlDecimalFormat)
	return b
}

func (b *xlBook) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

// style registers a cell style and returns its id.
func (b *xlBook) style(s *excelize.Style) int {
	id, err := b.f.NewStyle(s)
	b.fail(err)
	return id
}

func (b *xlBook) numFmt(format string) int {
	return b.style(&excelize.Style{CustomNumFmt: &format, Alignment: &excelize.Alignment{Vertical: "top"}})
}

// write saves the workbook to w and releases it (and its temporary files).
func (b *xlBook) write(w io.Writer) error {
	defer b.f.Close()
	if b.err != nil {
		return b.err
	}
	// File.Write assembles the whole archive in a bytes.Buffer before copying
	// it to w. A zip writer on w itself lets the archive flow out as it is
	// made, so memory does not grow with the streamed sheets; the buffer
	// excelize hands the zip writer stays empty.
	b.f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	return b.f.Write(io.Discard)
}

// xlSheet is one worksheet being streamed. Rows are added in order; the first
// error sticks and is returned by close.
type xlSheet struct {
	b      *xlBook
	sw     *excelize.StreamWriter
	name   string
	row    int             // rows written
	width  int             // columns of the widest row
	widths []float64       // of the columns from A, to size wrapped rows
	wraps  []bool          // by column from A: whether its text wraps
	cells  []excelize.Cell // reused for every row, so adding a row allocates little
	vals   []any           // pointers into cells, as SetRow takes them
	err    error
}

// Page setup of every sheet: A4, one page wide and as many long as it takes,
// margins in inches.
const (
	xlPaperA4         = 9
	xlMarginSide      = 0.5
	xlMarginTopBottom = 0.75
	xlMarginHeader    = 0.3
	// xlLandscapeWidth is the total column width past which a sheet prints
	// across the page: about what portrait A4 shows at a legible scale.
	xlLandscapeWidth = 110
)

// sheet starts streaming the named sheet; widths, when given, size its
// columns from A, and a sheet wider in all than xlLandscapeWidth prints
// across the page.
func (b *xlBook) sheet(name string, widths ...float64) *xlSheet {
	var total float64
	for _, w := range widths {
		total += w
	}
	s := b.printedSheet(name, total > xlLandscapeWidth)
	s.columns(widths, nil, nil)
	return s
}

// printedSheet starts streaming the named sheet, set up to print on A4 one
// page wide, landscape or not. The page setup lives in parts the
// StreamWriter writes when it starts, so it comes first.
func (b *xlBook) printedSheet(name string, landscape bool) *xlSheet {
	s := &xlSheet{b: b, name: name}
	b.pageSetup(name, landscape)
	s.sw, s.err = b.f.NewStreamWriter(name)
	return s
}

// pageSetup makes a sheet print on A4, fitted to one page wide, with the
// report's name and the sheet's in the header and page numbers in the footer.
func (b *xlBook) pageSetup(name string, landscape bool) {
	if b.err != nil {
		return // the printer may be missing
	}
	orientation := "portrait"
	if landscape {
		orientation = "landscape"
	}
	fit, size, wide, long := true, xlPaperA4, 1, 0
	b.fail(b.f.SetSheetProps(name, &excelize.SheetPropsOptions{FitToPage: &fit}))
	b.fail(b.f.SetPageLayout(name, &excelize.PageLayoutOptions{Size: &size, Orientation: &orientation,
		FitToWidth: &wide, FitToHeight: &long}))
	side, topBottom, hf := xlMarginSide, xlMarginTopBottom, xlMarginHeader
	b.fail(b.f.SetPageMargins(name, &excelize.PageLayoutMarginsOptions{Left: &side, Right: &side,
		Top: &topBottom, Bottom: &topBottom, Header: &hf, Footer: &hf}))
	b.fail(b.f.SetHeaderFooter(name, &excelize.HeaderFooterOptions{
		OddHeader: "&L&B" + xlHeaderText(b.report) + "&B" + xlMarkText(b.p, b.mark) + "&R&A",
		OddFooter: "&L" + xlHeaderText(b.footer) + "&R" + b.p.T("Page %s of %s", "&P", "&N"),
	}))
}

// xlMarkText is the centre of a page header of a draft report: DRAFT in
// bold red (the reason is on the first sheet), or nothing when mark is "".
func xlMarkText(p texts.Printer, mark string) string {
	if mark == "" {
		return ""
	}
	return "&C&B&KC00000" + xlHeaderText(p.T("DRAFT")) + "&B"
}

// xlHeaderText makes text safe inside a page header or footer, where &
// starts a code; Excel bounds a whole header to 255 characters.
func xlHeaderText(s string) string {
	if r := []rune(s); len(r) > 100 {
		s = string(r[:99]) + "…"
	}
	return strings.ReplaceAll(s, "&", "&&")
}

// table starts a sheet whose first row is a bold header that stays in view
// and prints on every page; the columns numbered in wrap (from 1) wrap their
// text, and rows grow to show it.
func (b *xlBook) table(name string, cols []xlColumn, wrap ...int) *xlSheet {
	widths := xlWidths(cols)
	var total float64
	for _, w := range widths {
		total += w
	}
	s := b.printedSheet(name, total > xlLandscapeWidth)
	s.columns(widths, wrap, nil)
	s.freezeHeader()
	s.printTitles()
	s.header(cols)
	return s
}

// wrappedTable is a table whose every column wraps its text: the reports'
// tables, where any cell may hold a name or a sentence.
func (b *xlBook) wrappedTable(name string, cols []xlColumn) *xlSheet {
	wrap := make([]int, len(cols))
	for i := range wrap {
		wrap[i] = i + 1
	}
	return b.table(name, cols, wrap...)
}

func xlWidths(cols []xlColumn) []float64 {
	widths := make([]float64, len(cols))
	for i, c := range cols {
		widths[i] = c.width
	}
	return widths
}

// columns sizes the columns from A, wraps the text of those numbered (from 1)
// in wrap and hides those in hide. It must come before the first row. Excel
// wants the column list in ascending order, and the StreamWriter puts each
// column it is told about first, so the columns are set from the last.
func (s *xlSheet) columns(widths []float64, wrap, hide []int) {
	s.widths, s.wraps = widths, make([]bool, len(widths))
	for c := len(widths); c >= 1 && s.err == nil; c-- {
		s.fail(s.sw.SetColWidth(c, c, widths[c-1]))
		if slices.Contains(wrap, c) {
			s.wraps[c-1] = true
			s.fail(s.sw.SetColStyle(c, c, s.b.wrap))
		}
		if slices.Contains(hide, c) {
			s.fail(s.sw.SetColVisible(c, c, false))
		}
	}
}

// freezeHeader keeps the first row in view. It must come before the first row.
func (s *xlSheet) freezeHeader() {
	if s.err == nil {
		s.fail(s.sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}))
	}
}

// printTitles repeats the first row at the top of every printed page.
func (s *xlSheet) printTitles() {
	if s.err == nil {
		s.fail(s.b.f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
			RefersTo: xlSheetRef(s.name) + "!$1:$1", Scope: s.name}))
	}
}

// xlSheetRef quotes a sheet name for a reference: 'Risk register'.
func xlSheetRef(name string) string { return "'" + strings.ReplaceAll(name, "'", "''") + "'" }

func (s *xlSheet) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// header adds a row of column names in the header style; they wrap, so the
// row is as tall as its longest name needs.
func (s *xlSheet) header(cols []xlColumn) {
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = excelize.Cell{StyleID: s.b.header, Value: c.name}
	}
	s.addRow(vals, true)
}

// add writes the next row. Values go through cellOf: text is guarded against
// formula injection, times and dates become date cells, fractions
// percentages; nil leaves a cell empty. A row whose wrapped text needs more
// than one line is made tall enough to show it.
func (s *xlSheet) add(values ...any) { s.addRow(values, false) }

// addRow writes the next row; allWrap says every cell wraps, not only those
// of the wrapped columns.
func (s *xlSheet) addRow(values []any, allWrap bool) {
	if s.err != nil {
		return
	}
	if len(values) > len(s.cells) {
		s.cells = make([]excelize.Cell, len(values))
		s.vals = make([]any, len(values))
	}
	lines := 1
	for i, v := range values {
		if c := s.b.cellOf(v); c.Value != nil || c.StyleID != 0 {
			s.cells[i], s.vals[i] = c, &s.cells[i]
			if text, ok := c.Value.(string); ok && i < len(s.widths) && (allWrap || s.wraps[i]) {
				lines = max(lines, xlLines(text, s.widths[i]))
			}
		} else {
			s.vals[i] = nil // SetRow writes no cell for nil
		}
	}
	s.row++
	s.width = max(s.width, len(values))
	var opts []excelize.RowOpts
	if lines > 1 {
		opts = append(opts, excelize.RowOpts{Height: xlRowHeight(lines)})
	}
	s.fail(s.sw.SetRow("A"+strconv.Itoa(s.row), s.vals[:len(values)], opts...))
}

// Excelize does not size rows to their text, and a spreadsheet opening the
// file does not either, so wrapped rows are sized here from an estimate: a
// column of width w (in widths of the digit 0) holds about w characters of
// text a line, and a line of the default 11-point font takes 15 points.
const (
	xlLinePoints  = 15
	xlMaxRowLines = 27 // Excel's tallest row is 409 points
)

// xlLines estimates the lines text takes in a wrapped column of the width.
func xlLines(text string, width float64) int {
	perLine := max(1, int(width))
	lines := 0
	for _, para := range strings.Split(text, "\n") {
		lines += max(1, int(math.Ceil(float64(utf8.RuneCountInString(para))/float64(perLine))))
	}
	return lines
}

// xlRowHeight is the height in points of a row of that many lines.
func xlRowHeight(lines int) float64 {
	return float64(min(lines, xlMaxRowLines) * xlLinePoints)
}

// skip leaves n empty rows.
func (s *xlSheet) skip(n int) { s.row += n }

// filter puts an autofilter over the table written so far.
func (s *xlSheet) filter() {
	if s.err != nil || s.width == 0 {
		return
	}
	last, _ := excelize.ColumnNumberToName(s.width)
	s.fail(s.b.f.AutoFilter(s.name, "A1:"+last+strconv.Itoa(max(s.row, 2)), nil))
}

// close ends the sheet and returns its first error, also kept by the workbook.
func (s *xlSheet) close() error {
	if s.err == nil {
		s.err = s.sw.Flush()
	}
	s.b.fail(s.err)
	return s.err
}

// cellOf turns a value into a cell with the style its type needs.
func (b *xlBook) cellOf(v any) excelize.Cell {
	switch v := v.(type) {
	case excelize.Cell:
		if s, ok := v.Value.(string); ok {
			v.Value = b.cellOf(s).Value
		}
		return v
	case string:
		if v == "" {
			return excelize.Cell{}
		}
		return excelize.Cell{Value: xlSafe(v)}
	case time.Time:
		if v.IsZero() {
			return excelize.Cell{}
		}
		return excelize.Cell{StyleID: b.dateTime, Value: v.UTC()}
	case *time.Time:
		if v == nil {
			return excelize.Cell{}
		}
		return b.cellOf(*v)
	case domain.Date:
		if v.IsZero() {
			return excelize.Cell{}
		}
		return excelize.Cell{StyleID: b.date, Value: v.Time()}
	case *domain.Date:
		if v == nil {
			return excelize.Cell{}
		}
		return b.cellOf(*v)
	case *int:
		if v == nil {
			return excelize.Cell{}
		}
		return excelize.Cell{Value: *v}
	case xlFraction:
		return excelize.Cell{StyleID: b.percent, Value: float64(v)}
	}
	return excelize.Cell{Value: v}
}

// xlPercent returns a compliance score as a percentage cell value, or nil
// when no control counts.
func xlPercent(c domain.ComplianceScore) any {
	if v, ok := c.Value(); ok {
		return xlFraction(v)
	}
	return nil
}

// xlFormulaStarts are the first characters that make a spreadsheet read text
// as a formula.
const xlFormulaStarts = "=+-@\t\r"

// xlSafe keeps a spreadsheet from reading user text as a formula: text
// starting with =, +, -, @, a tab or a carriage return gets a leading single
// quote (the OWASP advice for CSV injection, applied to every cell we write).
func xlSafe(s string) string {
	if s != "" && strings.IndexByte(xlFormulaStarts, s[0]) >= 0 {
		return "'" + s
	}
	return s
}

// Unguard undoes the guard against formula injection that every text cell
// written here carries, on a value read back from one of our workbooks.
func Unguard(s string) string {
	if len(s) > 1 && s[0] == '\'' && strings.IndexByte(xlFormulaStarts, s[1]) >= 0 {
		return s[1:]
	}
	return s
}

// filled returns the style of a cell filled with fill, its text in the
// colour that reads best on it, its value in format ("" for none).
func (b *xlBook) filled(fill, format string) int {
	key := xlFillKey{fill, format}
	if id, ok := b.fills[key]; ok {
		return id
	}
	st := &excelize.Style{Font: &excelize.Font{Color: TextColour(fill)},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}},
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "top", WrapText: true}}
	if format != "" {
		st.CustomNumFmt = &format
	}
	id := b.style(st)
	b.fills[key] = id
	return id
}

// levelCell shows a risk level by name on the level's colour, so that the
// level reads without the colour; no level leaves the cell empty.
func (b *xlBook) levelCell(l domain.RiskLevel) any {
	if l == "" {
		return nil
	}
	return excelize.Cell{StyleID: b.filled(LevelFill(l), ""), Value: b.p.Name(l)}
}

// matrixCell shows how many pairs a cell of the risk matrix counts, with its
// level in words after the number (the value stays a number), on the
// level's colour; an empty cell is muted.
func (b *xlBook) matrixCell(count int, l domain.RiskLevel) any {
	fill := LevelFill(l)
	if count == 0 {
		fill = LevelFill("")
	}
	return excelize.Cell{StyleID: b.filled(fill, `0" · `+strings.ReplaceAll(b.p.Name(l), `"`, "")+`"`), Value: count}
}

// scoreCell shows a residual score, a number, on the colour of its level.
func (b *xlBook) scoreCell(score int, l domain.RiskLevel) any {
	return excelize.Cell{StyleID: b.filled(LevelFill(l), ""), Value: score}
}

// complianceCell shows a compliance fraction as a percentage on the colour
// of its band; the number says what the colour does.
func (b *xlBook) complianceCell(v *float64) any {
	if v == nil {
		return nil
	}
	return excelize.Cell{StyleID: b.filled(ComplianceFill(*v), xlPercentFormat), Value: *v}
}

// levelRange returns the lowest and highest score of a level on the 5×5
// grid, from domain.LevelOf, so the legend cannot drift from the rule.
func levelRange(l domain.RiskLevel) (lo, hi int) {
	for li := 1; li <= 5; li++ {
		for i := 1; i <= 5; i++ {
			if score := li * i; domain.LevelOf(score) == l {
				if lo == 0 || score < lo {
					lo = score
				}
				hi = max(hi, score)
			}
		}
	}
	return lo, hi
}

// levelLegend returns cells naming each level, with its range of scores, on
// its colour.
func (b *xlBook) levelLegend() []any {
	var row []any
	for _, l := range domain.RiskLevels {
		lo, hi := levelRange(l)
		row = append(row, excelize.Cell{StyleID: b.filled(LevelFill(l), ""),
			Value: b.p.T("%s (%d–%d)", b.p.Name(l), lo, hi)})
	}
	return row
}

// plural picks the singular or the plural of an already formatted count: in
// English the singular is for 1 only, in French for 0 and 1.
func plural(p texts.Printer, n int, one, other string) string {
	if n == 1 || (n == 0 && p.Language() == domain.French) {
		return one
	}
	return other
}

// basisName says which answers the numbers are taken from.
func basisName(p texts.Printer, basis string) string {
	switch basis {
	case "filed":
		return p.T("The answers as filed")
	case "current":
		return p.T("The current answers")
	}
	return basis
}

// yesNo says a yes-or-no value in words. Words, not boolean cells: a
// spreadsheet shows a boolean as TRUE, FALSE, 1 or 0 depending on the
// program and the cell's format, and never in the report's language.
func (b *xlBook) yesNo(v bool) string {
	if v {
		return b.p.T("Yes")
	}
	return b.p.T("No")
}

// filingName names a filing state.
func filingName(p texts.Printer, f FilingState) string {
	switch f {
	case FiledOnTime:
		return p.T("Filed on time")
	case FiledLate:
		return p.T("Filed late")
	case NotFiled:
		return p.T("Not filed")
	}
	return string(f)
}
