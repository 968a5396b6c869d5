package api

import (
	"context"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"assure/app"
	"assure/domain"
	"assure/store"
)

type publishFrameworkInput struct {
	DryRun  bool   `query:"dry_run" doc:"Check the file and answer the framework it holds, publishing nothing."`
	Version string `query:"version" maxLength:"100" doc:"The version of a file that states none (OWASP MASVS)."`
	RawBody huma.MultipartFormFiles[struct {
		File huma.FormFile `form:"file" contentType:"application/octet-stream" required:"true" doc:"The framework file: Assure's YAML, an OSCAL catalog in JSON, or OWASP MASVS's YAML."`
	}]
}

type publishFrameworkOutput struct {
	Status int
	Body   struct {
		Outcome   string    `json:"outcome" enum:"checked,published,already_published" doc:"What happened: only checked (dry run), published, or already published with exactly this content."`
		Framework Framework `json:"framework"`
	}
}

func (a *API) registerCatalogPublish(tags []string) {
	register(a, huma.Operation{
		OperationID: "publish-framework", Method: http.MethodPost, Path: "/api/v1/frameworks", Tags: tags,
		Summary: "Publish a framework file",
		Description: "Checks a framework file in any format Assure reads — its own YAML, an OSCAL catalog in JSON " +
			"(a regulator's circular published in OSCAL, or Assure's own export), OWASP MASVS's YAML with version — " +
			"and publishes it. Every problem is listed at once (422), located in the file. A published version never " +
			"changes: other content under a published id and version is 409. With dry_run=true nothing is published.",
		DefaultStatus: http.StatusCreated,
		MaxBodyBytes:  app.MaxFrameworkBytes + 1<<20,
		Errors:        []int{http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *publishFrameworkInput) (*publishFrameworkOutput, error) {
		file := in.RawBody.Data().File
		if file.File == nil {
			return nil, domain.Invalid("no file", []domain.Problem{{Location: "body.file", Message: "send the framework file"}})
		}
		defer file.File.Close()
		content, err := io.ReadAll(io.LimitReader(file.File, app.MaxFrameworkBytes+1))
		if err != nil {
			return nil, err
		}
		actor := actorFrom(ctx)
		f, err := a.app.CheckFramework(ctx, actor, file.Filename, content, in.Version)
		if err != nil {
			return nil, err
		}
		out := &publishFrameworkOutput{Status: http.StatusOK}
		out.Body.Outcome = "checked"
		if !in.DryRun {
			outcome, err := a.app.PublishFramework(ctx, actor, f)
			if err != nil {
				return nil, err
			}
			out.Body.Outcome = string(outcome)
			if outcome == store.Published {
				out.Status = http.StatusCreated
			}
		}
		out.Body.Framework = Framework{ID: f.ID, Version: f.Version, Title: f.Title, Source: f.Source, Notes: f.Notes,
			SHA256: f.Digest(), Licence: f.Licence, Levels: f.Levels, Implementers: f.Implementers, AuditGroups: f.AuditGroups,
			Counts: frameworkCounts{Dimensions: len(f.Dimensions), Stages: len(f.Stages), Threats: len(f.Threats), Controls: len(f.Controls)}}
		if !in.DryRun {
			if v, err := a.app.Framework(ctx, actor, store.FrameworkRef{ID: f.ID, Version: f.Version}); err == nil {
				out.Body.Framework = frameworkOf(v)
			}
		}
		return out, nil
	})
}
