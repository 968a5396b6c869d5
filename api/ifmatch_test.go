package api_test

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"
)

// ifMatchRequired lists the operations that refuse a request without
// If-Match (428); the others take it when sent and do without it.
var ifMatchRequired = []string{"put-response"}

// TestOpenAPIMarksIfMatchRequired sends every operation that has an If-Match
// parameter, as a role allowed to call it and with its valid body, without
// If-Match: the operations answering 428 are those of ifMatchRequired, and
// the document marks If-Match required on exactly them, so a client
// generated from it sends the header.
func TestOpenAPIMarksIfMatchRequired(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	w := newWorld(s)
	table := expectedAccessRows(t)
	var refusing []string
	for _, o := range operations(t, s.api.OpenAPI()) {
		var ifMatch *huma.Param
		for _, p := range o.op.Parameters {
			if p.In == "header" && strings.EqualFold(p.Name, "If-Match") {
				ifMatch = p
			}
		}
		if ifMatch == nil {
			continue
		}
		role, ok := table[o.op.OperationID].firstAllowed()
		if !ok {
			t.Errorf("%s: no role may call it on its own objects", o.op.OperationID)
			continue
		}
		actor := w.actors[role]
		path, _, ok := w.resolve(t, o, actor, false)
		if !ok {
			continue
		}
		body, _ := w.body(t, o, actor, false)
		r := s.as(s.tokenFor(actor)).do(o.method, path, body)
		if r.status == http.StatusPreconditionRequired {
			refusing = append(refusing, o.op.OperationID)
		}
		switch want := slices.Contains(ifMatchRequired, o.op.OperationID); {
		case want && !ifMatch.Required:
			t.Errorf("%s answers 428 without If-Match, but the OpenAPI document does not mark If-Match required", o.op.OperationID)
		case !want && ifMatch.Required:
			t.Errorf("%s does without If-Match, but the OpenAPI document marks it required", o.op.OperationID)
		}
	}
	sort.Strings(refusing)
	if want := slices.Sorted(slices.Values(ifMatchRequired)); !slices.Equal(refusing, want) {
		t.Errorf("operations answering 428 without If-Match: %v, want %v", refusing, want)
	}
}
