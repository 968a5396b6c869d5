package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"assure/domain"
	"assure/store"
)

// Bulk registration of providers from a file: a CSV or XLSX sheet with one
// provider a row, checked whole and registered all together or not at all.

// Limits of a file of providers.
const (
	MaxImportBytes    = 5 << 20
	MaxImportRows     = store.MaxProviderBatch
	MaxImportProblems = 1000 // problems listed; a file of junk must not make an answer of millions
)

// ImportColumns are the columns of a file of providers, in the template's
// order. The first six are required; status (active when blank) and the
// columns of one contact are optional.
var ImportColumns = []string{"legal_name", "short_name", "licence_number", "kind", "tier", "channels", "status",
	"contact_name", "contact_position", "contact_email", "contact_phone"}

const requiredImportColumns = 6

// ImportRow is one provider of the file as it would be registered, with the
// problems of its row.
type ImportRow struct {
	Row      int // the row number, 1-based with the header as row 1, as a spreadsheet shows it
	Provider domain.Provider
	Problems []domain.Problem
}

// ImportResult is a file of providers read and checked.
type ImportResult struct {
	Filename string
	SHA256   string // of the file's bytes
	Format   string // csv or xlsx
	Rows     []ImportRow
	// Problems lists every problem of the file in row order, located
	// "row 4, licence_number"; at most MaxImportProblems, with More saying
	// how many were left out.
	Problems []domain.Problem
	More     int
	Created  []domain.Provider // the providers registered, when the file was applied

	general []domain.Problem // problems of no one row
}

// ImportTemplateCSV is a file of providers to start from: the header row
// and one example row.
func ImportTemplateCSV() []byte {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.Write(ImportColumns)
	w.Write([]string{"Example Savings Bank plc", "Example Bank", "EXAMPLE-0001", "bank", "2", "app, ussd, cards",
		"active", "Jane Example", "Chief information security officer", "ciso@bank.example", "+254 700 000000"})
	w.Flush()
	return b.Bytes()
}

// ImportProviders reads a file of providers (CSV or XLSX; see
// ImportColumns) and checks every row: the provider's own rules, licence
// numbers given twice in the file and licence numbers already registered.
// With apply false nothing is written: the result is the preview. With
// apply true the rows are registered in one transaction, with their audit
// events, only when no row has a problem; otherwise nothing is written and
// the error is EInvalid listing every problem, with the result beside it.
// A file that cannot be read as a whole is EInvalid (not CSV or XLSX, a
// changed header), ETooLarge (over MaxImportBytes or MaxImportRows) or
// EUnsupported; the actor needs the right to create providers.
func (a *App) ImportProviders(ctx context.Context, actor domain.Actor, file Upload, apply bool) (ImportResult, error) {
	if err := a.permit(ctx, actor, "provider", "create"); err != nil {
		return ImportResult{}, err
	}
	if file.Size > MaxImportBytes {
		return ImportResult{}, tooLargeImport()
	}
	data, err := io.ReadAll(io.LimitReader(io.NewSectionReader(file.Content, 0, file.Size), MaxImportBytes+1))
	if err != nil {
		return ImportResult{}, fmt.Errorf("app: read import file: %w", err)
	}
	if len(data) > MaxImportBytes {
		return ImportResult{}, tooLargeImport()
	}
	sum := sha256.Sum256(data)
	res := ImportResult{Filename: domain.CleanFilename(file.Filename, "providers"), SHA256: hex.EncodeToString(sum[:])}
	var sheet [][]string
	var lines []int
	if res.Format, err = importFormat(res.Filename, data); err == nil {
		if res.Format == "xlsx" {
			sheet, lines, err = readImportXLSX(data)
		} else {
			sheet, lines, err = readImportCSV(data)
		}
	}
	if err != nil {
		return ImportResult{}, err
	}
	if err := parseImport(&res, sheet, lines); err != nil {
		return ImportResult{}, err
	}
	if err := a.checkLicencesTaken(ctx, actor, &res); err != nil {
		return ImportResult{}, err
	}
	res.collectProblems()
	if len(res.Problems) > 0 {
		if apply {
			return res, res.invalid()
		}
		return res, nil
	}
	if !apply {
		return res, nil
	}
	batch := store.ProviderBatch{Source: res.Filename, SHA256: res.SHA256}
	for _, r := range res.Rows {
		batch.Providers = append(batch.Providers, r.Provider)
	}
	created, err := a.db.CreateProviders(ctx, actor, batch)
	if err != nil {
		// Someone may have registered a licence of the file since the
		// preview: the store's problems are located by index; give them rows.
		e, ok := domain.AsError(err)
		if !ok || e.Code != domain.EInvalid {
			return ImportResult{}, err
		}
		for _, pr := range e.Problems {
			var i int
			var field string
			if n, _ := fmt.Sscanf(strings.Replace(pr.Location, "].", "] ", 1), "providers[%d] %s", &i, &field); n == 2 &&
				i >= 0 && i < len(res.Rows) {
				res.Rows[i].Problems = append(res.Rows[i].Problems, importProblem(res.Rows[i].Row, field, pr.Message))
			} else {
				res.general = append(res.general, pr)
			}
		}
		res.collectProblems()
		return res, res.invalid()
	}
	res.Created = created
	return res, nil
}

func tooLargeImport() error {
	return domain.Errorf(domain.ETooLarge, "the file is larger than %d MB; split it into smaller files", MaxImportBytes>>20)
}

func tooManyImportRows() error {
	return domain.Errorf(domain.ETooLarge, "the file has more than %d providers; split it into smaller files", MaxImportRows)
}

// invalid is the error of a file with problems.
func (r ImportResult) invalid() error {
	message := fmt.Sprintf("the file has %d problem(s); nothing was registered", len(r.Problems)+r.More)
	if r.More > 0 {
		message += fmt.Sprintf("; the first %d are listed", len(r.Problems))
	}
	return domain.Invalid(message, r.Problems)
}

// collectProblems lists the problems of no row, then the rows' problems in
// row order, within MaxImportProblems.
func (r *ImportResult) collectProblems() {
	all := slices.Clone(r.general)
	for _, row := range r.Rows {
		all = append(all, row.Problems...)
	}
	r.More = 0
	if len(all) > MaxImportProblems {
		r.More = len(all) - MaxImportProblems
		all = all[:MaxImportProblems]
	}
	r.Problems = all
}

// importFormat tells a workbook from CSV text, by content first: a name
// ending .csv holding a workbook is still read as the workbook it is.
func importFormat(name string, data []byte) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case bytes.HasPrefix(data, []byte("PK\x03\x04")), bytes.HasPrefix(data, []byte("\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")):
		return "xlsx", nil
	case ext == ".xlsx" || ext == ".xls" || ext == ".xlsm":
		return "", domain.Errorf(domain.EInvalid, "the file is not an Excel workbook (.xlsx)")
	case len(bytes.TrimSpace(data)) == 0:
		return "", domain.Errorf(domain.EInvalid, "the file is empty")
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return "", domain.Errorf(domain.EUnsupported,
			"the file is neither a CSV file in UTF-8 nor an Excel workbook (.xlsx); save it as CSV UTF-8 or .xlsx")
	}
	return "csv", nil
}

// readImportCSV reads CSV text separated by commas or, as spreadsheets in
// many languages write it, semicolons, whichever the header row uses. It
// returns the records and the line each starts on.
func readImportCSV(data []byte) ([][]string, []int, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	header, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	if bytes.Count(header, []byte(";")) > bytes.Count(header, []byte(",")) {
		r.Comma = ';'
	}
	r.FieldsPerRecord = -1
	var records [][]string
	var lines []int
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, nil, domain.Invalid("the CSV file cannot be read", []domain.Problem{{
				Location: fmt.Sprintf("row %d", pe.StartLine), Message: pe.Err.Error()}})
		}
		if err != nil {
			return nil, nil, fmt.Errorf("app: read import CSV: %w", err)
		}
		if len(records) > MaxImportRows+1 {
			return nil, nil, tooManyImportRows()
		}
		line, _ := r.FieldPos(0)
		records, lines = append(records, rec), append(lines, line)
	}
	return records, lines, nil
}

// readImportXLSX reads the sheet named Providers of a workbook, or its
// first sheet, with the row number of each row. A workbook with macros, an
// old-format or damaged file is EInvalid.
func readImportXLSX(data []byte) (rows [][]string, lines []int, err error) {
	if err := qnCheckZip(data); err != nil {
		return nil, nil, err
	}
	defer func() {
		if recover() != nil {
			rows, lines, err = nil, nil, domain.Errorf(domain.EInvalid, "the workbook is damaged and cannot be read")
		}
	}()
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 64 << 20})
	if err != nil {
		return nil, nil, qnNotWorkbook()
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, qnNotWorkbook()
	}
	sheet := sheets[0]
	for _, s := range sheets {
		if strings.EqualFold(s, "Providers") {
			sheet = s
		}
	}
	it, err := f.Rows(sheet)
	if err != nil {
		return nil, nil, domain.Errorf(domain.EInvalid, "the sheet %s cannot be read", sheet)
	}
	defer it.Close()
	for n := 1; it.Next(); n++ {
		cols, err := it.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, nil, domain.Invalid("the workbook cannot be read", []domain.Problem{{
				Location: fmt.Sprintf("row %d", n), Message: "the row cannot be read"}})
		}
		if len(rows) > MaxImportRows+1 {
			return nil, nil, tooManyImportRows()
		}
		rows, lines = append(rows, cols), append(lines, n)
	}
	return rows, lines, nil
}

// importHeader normalises a header cell: "Licence number" → licence_number.
func importHeader(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(strings.TrimSpace(s)), func(r rune) bool {
		return r == ' ' || r == '_' || r == '-'
	}), "_")
}

// parseImport reads the header row and every non-blank row after it into
// res.Rows, each with the problems of its cells. A header without a
// required column, or with a column Assure does not know, is EInvalid
// naming every such column.
func parseImport(res *ImportResult, sheet [][]string, lines []int) error {
	start := 0
	for start < len(sheet) && blankRow(sheet[start]) {
		start++
	}
	if start == len(sheet) {
		return domain.Errorf(domain.EInvalid, "the file is empty")
	}
	header, headerRow := sheet[start], lines[start]
	at := map[string]int{}
	var problems []domain.Problem
	for i, h := range header {
		name := importHeader(h)
		switch {
		case name == "":
			continue
		case !slices.Contains(ImportColumns, name):
			problems = append(problems, domain.Problem{Location: fmt.Sprintf("row %d, column %d", headerRow, i+1),
				Message: fmt.Sprintf("%q is not a column Assure knows; the columns are %s", clip(h), strings.Join(ImportColumns, ", "))})
		case at[name] != 0:
			problems = append(problems, domain.Problem{Location: fmt.Sprintf("row %d, column %d", headerRow, i+1),
				Message: fmt.Sprintf("column %s is given twice", name)})
		default:
			at[name] = i + 1 // 0 is "absent"
		}
	}
	for _, c := range ImportColumns[:requiredImportColumns] {
		if at[c] == 0 {
			problems = append(problems, domain.Problem{Location: fmt.Sprintf("row %d", headerRow),
				Message: fmt.Sprintf("column %s is missing", c)})
		}
	}
	if len(problems) > 0 {
		return domain.Invalid("the header row of the file is not right; start from the template", problems)
	}
	data := 0
	for i := start + 1; i < len(sheet); i++ {
		if blankRow(sheet[i]) {
			continue
		}
		if data++; data > MaxImportRows {
			return tooManyImportRows()
		}
		rec := sheet[i]
		cell := func(col string) string {
			if j := at[col]; j > 0 && j-1 < len(rec) {
				return strings.TrimSpace(rec[j-1])
			}
			return ""
		}
		res.Rows = append(res.Rows, importRowOf(lines[i], cell))
	}
	if data == 0 {
		return domain.Errorf(domain.EInvalid, "the file has a header row but no provider")
	}
	first := map[string]int{}
	for i := range res.Rows {
		row := &res.Rows[i]
		key := strings.ToLower(row.Provider.LicenceNumber)
		if key == "" {
			continue
		}
		if j, twice := first[key]; twice {
			row.Problems = append(row.Problems, importProblem(row.Row, "licence_number",
				fmt.Sprintf("licence number %s is also on row %d", row.Provider.LicenceNumber, j)))
		} else {
			first[key] = row.Row
		}
	}
	return nil
}

func blankRow(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

func importProblem(row int, column, message string) domain.Problem {
	return domain.Problem{Location: fmt.Sprintf("row %d, %s", row, column), Message: message}
}

// importRowOf reads one row numbered n: cell returns a column's trimmed
// value. The provider's own rules name the bad cells.
func importRowOf(n int, cell func(string) string) ImportRow {
	row := ImportRow{Row: n}
	p := domain.Provider{LegalName: cell("legal_name"), ShortName: cell("short_name"),
		LicenceNumber: cell("licence_number"), Kind: importKind(cell("kind")), Channels: []string{},
		Status: domain.ProviderStatus(strings.ToLower(cell("status"))), Contacts: []domain.Contact{}}
	if p.Status == "" {
		p.Status = domain.ProviderActive
	}
	if raw := cell("tier"); raw != "" {
		if t, ok := qnWhole(raw); ok {
			p.Tier = t
		} else {
			row.Problems = append(row.Problems, importProblem(n, "tier", fmt.Sprintf("%q is not 1, 2 or 3", clip(raw))))
			p.Tier = -1
		}
	}
	for _, c := range strings.FieldsFunc(cell("channels"), func(r rune) bool { return r == ',' || r == ';' }) {
		if c = importChannel(c); c != "" {
			p.Channels = append(p.Channels, c)
		}
	}
	slices.SortStableFunc(p.Channels, func(a, b string) int {
		return slices.Index(domain.Channels, a) - slices.Index(domain.Channels, b)
	})
	if c := (domain.Contact{Name: cell("contact_name"), Position: cell("contact_position"), Email: cell("contact_email"),
		Phone: cell("contact_phone")}); c != (domain.Contact{}) {
		p.Contacts = append(p.Contacts, c)
	}
	for _, pr := range p.Check() {
		if pr.Location == "body.tier" && p.Tier == -1 {
			continue // already said, quoting the cell
		}
		row.Problems = append(row.Problems, importProblem(n, importColumnOf(pr.Location), pr.Message))
	}
	if p.Tier == -1 {
		p.Tier = 0
	}
	row.Provider = p
	return row
}

// importColumnOf names the column of a location of Provider.Check:
// body.channels[2] → channels, body.contacts[0].email → contact_email.
func importColumnOf(loc string) string {
	loc = strings.TrimPrefix(loc, "body.")
	switch {
	case strings.HasPrefix(loc, "channels"):
		return "channels"
	case strings.HasPrefix(loc, "contacts[0]."):
		return "contact_" + strings.TrimPrefix(loc, "contacts[0].")
	case strings.HasPrefix(loc, "contacts"):
		return "contact_position, contact_phone"
	}
	return loc
}

// kindWords are the names of kinds a sheet may give in words.
var kindWords = map[string]domain.ProviderKind{
	"mobile_money": domain.KindMobileMoneyOperator, "mmo": domain.KindMobileMoneyOperator,
	"payment_service_provider": domain.KindPSP, "e_money_issuer": domain.KindEMI, "electronic_money_issuer": domain.KindEMI,
	"microfinance_institution": domain.KindMFI, "microfinance_bank": domain.KindMFI,
	"agent_network_operator": domain.KindAgentNetwork, "ano": domain.KindAgentNetwork,
	"mobile_network_operator": domain.KindMNO, "network_operator": domain.KindMNO,
}

// importKind reads a kind as its code or in words, in any case: "Mobile
// money operator", "PSP". What it cannot read stays as given, for the
// provider's check to name.
func importKind(s string) domain.ProviderKind {
	code := importHeader(s)
	if k, ok := kindWords[code]; ok {
		return k
	}
	if domain.ProviderKind(code).Valid() {
		return domain.ProviderKind(code)
	}
	return domain.ProviderKind(s)
}

// channelWords are the names of channels a sheet may give in words.
var channelWords = map[string]string{
	"mobile_app": "app", "apps": "app", "api": "open_api", "apis": "open_api", "agent": "agents", "card": "cards",
	"qr_code": "qr", "qr_codes": "qr", "sim_toolkit": "stk",
	"internet": "web", "website": "web", "web_banking": "web", "interactive_voice_response": "ivr", "voice": "ivr",
}

// importChannel reads a channel as its code or in words, in any case.
func importChannel(s string) string {
	code := importHeader(s)
	if c, ok := channelWords[code]; ok {
		return c
	}
	if domain.ValidChannel(code) || code == "" {
		return code
	}
	return strings.TrimSpace(s)
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// checkLicencesTaken adds a problem to each row whose licence number is
// already registered.
func (a *App) checkLicencesTaken(ctx context.Context, actor domain.Actor, res *ImportResult) error {
	licences := make([]string, 0, len(res.Rows))
	for _, r := range res.Rows {
		licences = append(licences, r.Provider.LicenceNumber)
	}
	taken, err := a.db.LicencesTaken(ctx, actor, licences)
	if err != nil {
		return err
	}
	for i := range res.Rows {
		row := &res.Rows[i]
		if holder, ok := taken[strings.ToLower(row.Provider.LicenceNumber)]; ok {
			row.Problems = append(row.Problems, importProblem(row.Row, "licence_number",
				fmt.Sprintf("licence number %s is already registered to %s", row.Provider.LicenceNumber, holder)))
		}
	}
	return nil
}
