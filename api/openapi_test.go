package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"assure/domain"
)

// The tests in this file hold every request body to its schema: the
// document says what a body may hold and nothing more, and the server
// refuses anything more.

// unknownField is the member the tests below add to request bodies.
const unknownField = "zz_not_in_the_schema"

// bodyVariant is a request body with unknownField added to one of its
// objects, and the location a problem should name for it.
type bodyVariant struct {
	where string
	body  any
}

// unknownFieldVariants returns one variant of doc (decoded JSON) for each
// object in it, from the top down, each with unknownField added to that
// object only.
func unknownFieldVariants(doc any, loc string) []bodyVariant {
	var out []bodyVariant
	switch v := doc.(type) {
	case map[string]any:
		top := maps.Clone(v)
		top[unknownField] = true
		out = append(out, bodyVariant{loc + "." + unknownField, top})
		for _, k := range slices.Sorted(maps.Keys(v)) {
			for _, sub := range unknownFieldVariants(v[k], loc+"."+k) {
				c := maps.Clone(v)
				c[k] = sub.body
				out = append(out, bodyVariant{sub.where, c})
			}
		}
	case []any:
		for i, e := range v {
			for _, sub := range unknownFieldVariants(e, fmt.Sprintf("%s[%d]", loc, i)) {
				c := slices.Clone(v)
				c[i] = sub.body
				out = append(out, bodyVariant{sub.where, c})
			}
		}
	}
	return out
}

// takesJSON reports whether o's request body is JSON.
func (o operation) takesJSON() bool {
	if o.op.RequestBody == nil {
		return false
	}
	_, ok := o.op.RequestBody.Content["application/json"]
	return ok
}

// tableDigests returns a digest of the content of every table, for telling
// whether a request wrote anything. A token's last use is left out: every
// authenticated request may touch it.
func (s *server) tableDigests() map[string]string {
	s.t.Helper()
	conn, err := pgx.Connect(context.Background(), s.dbURL)
	s.must(err)
	defer conn.Close(context.Background())
	rows, err := conn.Query(context.Background(), `select tablename from pg_tables where schemaname = current_schema()`)
	s.must(err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	s.must(err)
	out := map[string]string{}
	for _, table := range tables {
		var digest string
		s.must(conn.QueryRow(context.Background(), `select coalesce(md5(string_agg(r, E'\n' order by r)), '')
			from (select (to_jsonb(t) - 'last_used_at')::text r from `+pgx.Identifier{table}.Sanitize()+` t) x`).Scan(&digest))
		out[table] = digest
	}
	return out
}

// changedTables lists the tables whose digests differ.
func changedTables(before, after map[string]string) []string {
	var changed []string
	for table := range after {
		if before[table] != after[table] {
			changed = append(changed, table)
		}
	}
	for table := range before {
		if _, ok := after[table]; !ok {
			changed = append(changed, table)
		}
	}
	sort.Strings(changed)
	return changed
}

// TestUnknownBodyFieldsAreRefused sends the valid body fixture of every
// operation that takes JSON, as a role allowed to call it, with one member
// the schema does not have, at the top and in each nested object in turn:
// every one is a 422 problem naming that member, and nothing is written.
func TestUnknownBodyFieldsAreRefused(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	w := newWorld(s)
	table := expectedAccessRows(t)
	tokens := map[domain.Role]string{}
	for _, role := range domain.Roles {
		tokens[role] = s.tokenFor(w.actors[role])
	}
	type request struct {
		id, method, path, token string
		body                    any
	}
	// Paths and bodies first: some fixtures write rows of their own.
	var requests []request
	for _, o := range operations(t, s.api.OpenAPI()) {
		if !o.takesJSON() {
			continue
		}
		row := table[o.op.OperationID]
		role, ok := domain.RoleAdmin, true
		if !row.public {
			role, ok = row.firstAllowed()
		}
		if !ok {
			t.Errorf("%s: no role may call it on its own objects, so no body reaches validation", o.op.OperationID)
			continue
		}
		path, _, ok := w.resolve(t, o, w.actors[role], false)
		if !ok {
			continue
		}
		fixture, _ := w.body(t, o, w.actors[role], false)
		b, err := json.Marshal(fixture)
		s.must(err)
		var doc any
		s.must(json.Unmarshal(b, &doc))
		token := tokens[role]
		if row.public {
			token = ""
		}
		for _, v := range unknownFieldVariants(doc, "body") {
			requests = append(requests, request{id: o.op.OperationID + " " + v.where, method: o.method, path: path, token: token, body: v.body})
		}
	}
	if len(requests) < 25 {
		t.Fatalf("only %d requests", len(requests))
	}

	before := s.tableDigests()
	for _, req := range requests {
		r := s.as(req.token).do(req.method, req.path, req.body)
		if r.status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d, want 422: %.300s", req.id, r.status, r.body)
			continue
		}
		p := wantProblem(t, r, http.StatusUnprocessableEntity)
		named := false
		for _, e := range p.Errors {
			named = named || strings.HasSuffix(req.id, " "+e.Location)
		}
		if !named {
			t.Errorf("%s: the problem does not name the unknown member: %+v", req.id, p.Errors)
		}
	}
	if changed := changedTables(before, s.tableDigests()); len(changed) > 0 {
		t.Errorf("refused bodies wrote to %v", changed)
	}
	t.Logf("%d bodies with an unknown member sent", len(requests))
}

// openAPIDoc is the served OpenAPI document, decoded.
type openAPIDoc map[string]any

func (s *server) openAPIDoc() openAPIDoc {
	s.t.Helper()
	var doc openAPIDoc
	s.as("").getJSON("/openapi.json", &doc)
	return doc
}

// resolve follows a local JSON pointer such as a $ref ("#/components/schemas/Name").
func (d openAPIDoc) resolve(ref string) (map[string]any, bool) {
	var node any = map[string]any(d)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, false
		}
		node = m[strings.NewReplacer("~1", "/", "~0", "~").Replace(part)]
	}
	m, ok := node.(map[string]any)
	return m, ok
}

// openObjects lists, under where, the object schemas reachable from schema
// that do not say additionalProperties: false, following $refs.
func (d openAPIDoc) openObjects(schema map[string]any, where string, seen map[string]bool) []string {
	if ref, ok := schema["$ref"].(string); ok {
		if seen[ref] {
			return nil
		}
		seen[ref] = true
		target, ok := d.resolve(ref)
		if !ok {
			return []string{where + ": unresolvable " + ref}
		}
		return d.openObjects(target, strings.TrimPrefix(ref, "#/components/schemas/"), seen)
	}
	var open []string
	isObject := schema["properties"] != nil
	switch t := schema["type"].(type) {
	case string:
		isObject = isObject || t == "object"
	case []any:
		isObject = isObject || slices.Contains(t, any("object"))
	}
	if ap, ok := schema["additionalProperties"].(bool); isObject && (!ok || ap) {
		open = append(open, where)
	}
	if props, ok := schema["properties"].(map[string]any); ok {
		for _, k := range slices.Sorted(maps.Keys(props)) {
			if p, ok := props[k].(map[string]any); ok {
				open = append(open, d.openObjects(p, where+"."+k, seen)...)
			}
		}
	}
	if items, ok := schema["items"].(map[string]any); ok {
		open = append(open, d.openObjects(items, where+"[]", seen)...)
	}
	if ap, ok := schema["additionalProperties"].(map[string]any); ok {
		open = append(open, d.openObjects(ap, where+"{}", seen)...)
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		list, _ := schema[key].([]any)
		for i, sub := range list {
			if m, ok := sub.(map[string]any); ok {
				open = append(open, d.openObjects(m, fmt.Sprintf("%s.%s[%d]", where, key, i), seen)...)
			}
		}
	}
	return open
}

// TestOpenAPIClosesEveryRequestBody reads the served document: every JSON
// request body schema, and every object schema inside it, says
// additionalProperties: false, as the server enforces.
func TestOpenAPIClosesEveryRequestBody(t *testing.T) {
	t.Parallel()
	s := newServer(t)
	doc := s.openAPIDoc()
	checked := 0
	for _, o := range operations(t, s.api.OpenAPI()) {
		if !o.takesJSON() {
			continue
		}
		op, ok := doc.resolve(fmt.Sprintf("#/paths/%s/%s", strings.NewReplacer("~", "~0", "/", "~1").Replace(o.path),
			strings.ToLower(o.method)))
		if !ok {
			t.Errorf("%s: not in the served document", o.op.OperationID)
			continue
		}
		var schema map[string]any
		if body, ok := op["requestBody"].(map[string]any); ok {
			if content, ok := body["content"].(map[string]any); ok {
				if mt, ok := content["application/json"].(map[string]any); ok {
					schema, _ = mt["schema"].(map[string]any)
				}
			}
		}
		if schema == nil {
			t.Errorf("%s: no application/json request body schema in the served document", o.op.OperationID)
			continue
		}
		checked++
		for _, where := range doc.openObjects(schema, "body", map[string]bool{}) {
			t.Errorf("%s: request body schema %s allows additional properties", o.op.OperationID, where)
		}
	}
	if checked < 25 {
		t.Errorf("only %d request bodies checked", checked)
	}
}
