package api

import (
	"context"
	"fmt"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

type healthOutput struct {
	Body struct {
		Status        string `json:"status" doc:"ok when the process is up; ready when it can serve."`
		SchemaVersion int    `json:"schema_version,omitempty" doc:"The database schema version."`
	}
}

func (a *API) registerHealth() {
	registerPublic(a, huma.Operation{
		OperationID: "healthz", Method: http.MethodGet, Path: "/healthz", Tags: []string{"Health"},
		Summary: "Process is up", Description: "Answers 200 while the process runs; it does not touch the database.",
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		out := &healthOutput{}
		out.Body.Status = "ok"
		return out, nil
	})

	registerPublic(a, huma.Operation{
		OperationID: "readyz", Method: http.MethodGet, Path: "/readyz", Tags: []string{"Health"},
		Summary:     "Ready to serve",
		Description: "Answers 200 when the database answers and its schema is the one this binary expects, 503 otherwise.",
		Errors:      []int{http.StatusServiceUnavailable},
	}, func(ctx context.Context, _ *struct{}) (*healthOutput, error) {
		current, latest, err := a.app.SchemaStatus(ctx)
		if err != nil {
			a.log.WarnContext(ctx, "not ready", "request_id", RequestIDFrom(ctx), "err", err)
			return nil, unavailable(RequestIDFrom(ctx), "the database does not answer")
		}
		if current != latest {
			return nil, unavailable(RequestIDFrom(ctx),
				fmt.Sprintf("the database schema is at version %d, this binary expects %d", current, latest))
		}
		out := &healthOutput{}
		out.Body.Status = "ready"
		out.Body.SchemaVersion = current
		return out, nil
	})
}
