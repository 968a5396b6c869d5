package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
)

// Bulk registration: a CSV or XLSX file of providers, previewed with
// dry_run and registered all together or not at all.

type importProvidersInput struct {
	DryRun  bool `query:"dry_run" doc:"Check the file and answer what would be registered, writing nothing."`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"The file of providers (.csv or .xlsx)."`
	}]
}

// ImportedRow is one row of a file of providers as it would be registered.
type ImportedRow struct {
	Row      int              `json:"row" doc:"The row number in the file, the header being row 1."`
	Provider providerBody     `json:"provider"`
	Problems []domain.Problem `json:"problems" doc:"What is wrong with this row; empty when it can be registered."`
}

// ImportOutcome is a checked file of providers and, once applied, the
// providers registered.
type ImportOutcome struct {
	DryRun   bool             `json:"dry_run"`
	Filename string           `json:"filename"`
	SHA256   string           `json:"sha256"`
	Format   string           `json:"format" enum:"csv,xlsx"`
	Rows     []ImportedRow    `json:"rows"`
	Problems []domain.Problem `json:"problems" doc:"Every problem, located like \"row 4, licence_number\"; the file is registered only without any."`
	More     int              `json:"more_problems,omitempty" doc:"Problems left out of the list, past its bound."`
	Created  []Provider       `json:"created" doc:"The providers registered; empty on a dry run."`
}

type importProvidersOutput struct {
	Status int
	Body   ImportOutcome
}

func importOutcomeOf(r app.ImportResult, dryRun bool) ImportOutcome {
	out := ImportOutcome{DryRun: dryRun, Filename: r.Filename, SHA256: r.SHA256, Format: r.Format, Rows: []ImportedRow{},
		Problems: nonNil(r.Problems), More: r.More, Created: []Provider{}}
	for _, row := range r.Rows {
		p := row.Provider
		out.Rows = append(out.Rows, ImportedRow{Row: row.Row, Problems: nonNil(row.Problems), Provider: providerBody{
			LegalName: p.LegalName, ShortName: p.ShortName, LicenceNumber: p.LicenceNumber, Kind: string(p.Kind),
			Tier: p.Tier, Channels: nonNil(p.Channels), Status: string(p.Status), Contacts: nonNil(p.Contacts)}})
	}
	for _, p := range r.Created {
		out.Created = append(out.Created, providerOf(p))
	}
	return out
}

func (a *API) registerProviderImport(tags []string) {
	register(a, huma.Operation{
		OperationID: "import-providers", Method: http.MethodPost, Path: "/api/v1/providers/import", Tags: tags,
		Summary: "Register providers from a file",
		Description: "A CSV (comma or semicolon separated, UTF-8) or XLSX file with the columns legal_name, " +
			"short_name, licence_number, kind, tier, channels (separated by commas or semicolons) and optionally " +
			"status, contact_name, contact_position, contact_email, contact_phone. Every row is checked, with " +
			"licence numbers given twice in the file or already registered. With dry_run=true the answer lists " +
			"every row and every problem and nothing is written; otherwise the rows are registered in one " +
			"transaction, all of them, or none and 422 lists every problem. At most 5 MB and 5000 rows.",
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  app.MaxImportBytes + 1<<20,
		Errors:        []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *importProvidersInput) (*importProvidersOutput, error) {
		file := in.RawBody.Data().File
		if file.File != nil {
			defer file.File.Close()
		}
		r, err := a.app.ImportProviders(ctx, actorFrom(ctx), app.Upload{Filename: file.Filename, Size: file.Size,
			Content: file.File}, !in.DryRun)
		if err != nil {
			return nil, err
		}
		status := http.StatusCreated
		if in.DryRun {
			status = http.StatusOK
		}
		return &importProvidersOutput{Status: status, Body: importOutcomeOf(r, in.DryRun)}, nil
	})
}
