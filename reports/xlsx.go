package reports

import (
	"archive/zip"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"assure/domain"
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
	f   *excelize.File
	err error

	header, title, bold, wrap int
	date, dateTime, percent   int
	decimal                   int
}

// xlFraction is a 0–1 value shown as a percentage.
type xlFraction float64

// xlColumn is one column of a table: its header and width.
type xlColumn struct {
	name  string
	width float64
}

// newXLBook starts a workbook with the given sheets, in order.
func newXLBook(sheets ...string) *xlBook {
	b := &xlBook{f: excelize.NewFile()}
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
	b.bold = b.style(&excelize.Style{Font: &excelize.Font{Bold: true}})
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
	b     *xlBook
	sw    *excelize.StreamWriter
	name  string
	row   int             // rows written
	width int             // columns of the widest row
	cells []excelize.Cell // reused for every row, so adding a row allocates little
	vals  []any           // pointers into cells, as SetRow takes them
	err   error
}

// sheet starts streaming the named sheet; widths, when given, size its
// columns from A.
func (b *xlBook) sheet(name string, widths ...float64) *xlSheet {
	s := &xlSheet{b: b, name: name}
	s.sw, s.err = b.f.NewStreamWriter(name)
	s.columns(widths, nil, nil)
	return s
}

// table starts a sheet whose first row is a bold header that stays in view;
// the columns numbered in wrap (from 1) wrap their text.
func (b *xlBook) table(name string, cols []xlColumn, wrap ...int) *xlSheet {
	s := b.sheet(name)
	s.columns(xlWidths(cols), wrap, nil)
	s.freezeHeader()
	s.header(cols)
	return s
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
	for c := len(widths); c >= 1 && s.err == nil; c-- {
		s.fail(s.sw.SetColWidth(c, c, widths[c-1]))
		if slices.Contains(wrap, c) {
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

func (s *xlSheet) fail(err error) {
	if s.err == nil {
		s.err = err
	}
}

// header adds a row of column names in the header style.
func (s *xlSheet) header(cols []xlColumn) {
	vals := make([]any, len(cols))
	for i, c := range cols {
		vals[i] = excelize.Cell{StyleID: s.b.header, Value: c.name}
	}
	s.add(vals...)
}

// add writes the next row. Values go through cellOf: text is guarded against
// formula injection, times and dates become date cells, fractions
// percentages; nil leaves a cell empty.
func (s *xlSheet) add(values ...any) {
	if s.err != nil {
		return
	}
	if len(values) > len(s.cells) {
		s.cells = make([]excelize.Cell, len(values))
		s.vals = make([]any, len(values))
	}
	for i, v := range values {
		if c := s.b.cellOf(v); c.Value != nil || c.StyleID != 0 {
			s.cells[i], s.vals[i] = c, &s.cells[i]
		} else {
			s.vals[i] = nil // SetRow writes no cell for nil
		}
	}
	s.row++
	s.width = max(s.width, len(values))
	s.fail(s.sw.SetRow("A"+strconv.Itoa(s.row), s.vals[:len(values)]))
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
