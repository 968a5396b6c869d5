package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"testing"
	"time"
)

// referenceHash is the event hash as first written: every field formatted
// with fmt into a fresh hasher, the summary through CanonicalJSON. The fast
// hasher must agree with it on every event.
func referenceHash(e Event) (string, error) {
	summary, err := CanonicalJSON(e.Summary)
	if err != nil {
		return "", err
	}
	fields := []string{e.PrevHash, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.ActorID, e.ActorEmail, e.ActorRole, e.Action, e.ObjectType, e.ObjectID, e.ProviderID,
		e.RequestID, e.Address, string(summary)}
	h := sha256.New()
	for _, f := range fields {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

var canonicalCases = []string{
	``, `  `, `{}`, `[]`, `{"b": 1, "a": 2}`, `{"a": {"z": [1, 2, {"y": null, "x": true}], "c": false}}`,
	`{"aa": 1, "b": 2, "a": 3}`, `{"n": -0.50e+10, "m": 0, "k": 12345678901234567890123}`,
	`{"s": "caf\u00e9"}`, `{"s": "café", "t": "日本"}`, `{"s": "a<b"}`, `{"s": "a&b>c"}`,
	`{"s": "line\nbreak"}`, `{"s": "quote \" and \\ slash \/"}`, `{"s": "\u2028"}`, "{\"s\": \"\u2028\"}",
	`{"a": 1, "a": 2}`, `{"a": 1} trailing`, `{"a": 1}   `, `{"a": }`, `{"a" 1}`, `[1, 2,]`, `01`, `-`, `1.`,
	`1e`, `"just a string"`, `true`, `null`, `{"é": 1, "e": 2, "z": 3}`, "{\"bad\": \"\xff\"}", `{"x": [[], {}, ""]}`,
	`{"k": "\u0001"}`, "\u00a0{}", `{"deep": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}`, `{"a":1,"b":[true,false,null]}`,
	`{"x": tru}`, `{"x": nul}`, `{"x": "unterminated`,
}

func TestAppendCanonicalJSONMatchesCanonicalJSON(t *testing.T) {
	var c Canonicalizer
	for _, in := range canonicalCases {
		want, wantErr := CanonicalJSON([]byte(in))
		got, gotErr := AppendCanonicalJSON([]byte("prefix"), []byte(in), &c)
		if (wantErr != nil) != (gotErr != nil) {
			t.Errorf("%q: error %v, CanonicalJSON's %v", in, gotErr, wantErr)
			continue
		}
		if wantErr == nil && string(got) != "prefix"+string(want) {
			t.Errorf("%q: %q, want %q", in, got, "prefix"+string(want))
		}
	}
}

func FuzzAppendCanonicalJSON(f *testing.F) {
	for _, in := range canonicalCases {
		f.Add(in)
	}
	var c Canonicalizer
	f.Fuzz(func(t *testing.T, in string) {
		want, wantErr := CanonicalJSON([]byte(in))
		got, gotErr := AppendCanonicalJSON(nil, []byte(in), &c)
		if (wantErr != nil) != (gotErr != nil) || string(got) != string(want) {
			t.Fatalf("%q: %q (%v), want %q (%v)", in, got, gotErr, want, wantErr)
		}
	})
}

func TestComputeHashMatchesReference(t *testing.T) {
	at := time.Date(2026, 12, 2, 16, 9, 54, 123456000, time.FixedZone("x", 3600))
	events := []Event{
		{Seq: 1, At: at, PrevHash: GenesisHash, Action: "user.create", ObjectType: "user", Summary: []byte(`{"b": 1, "a": "x"}`)},
		{Seq: 99, At: at.Add(time.Microsecond), PrevHash: "ab", ActorID: "11111111-2222-3333-4444-555555555555",
			ActorEmail: "a@b.c", ActorRole: "auditor", Action: "x", ObjectType: "y", ObjectID: "z",
			ProviderID: "p", RequestID: "r", Address: "10.0.0.1", Summary: []byte(`{"s": "a<b", "n": [1, 2.50]}`)},
		{Seq: 7, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Summary: nil},
	}
	var h EventHasher
	for _, e := range events {
		want, err := referenceHash(e)
		if err != nil {
			t.Fatal(err)
		}
		got, err := e.ComputeHash()
		if err != nil || got != want {
			t.Errorf("event %d: %s (%v), want %s", e.Seq, got, err, want)
		}
		sum, err := h.Sum(&EventFields{PrevHash: []byte(e.PrevHash), Seq: e.Seq, At: e.At, ActorID: []byte(e.ActorID),
			ActorEmail: []byte(e.ActorEmail), ActorRole: []byte(e.ActorRole), Action: []byte(e.Action),
			ObjectType: []byte(e.ObjectType), ObjectID: []byte(e.ObjectID), ProviderID: []byte(e.ProviderID),
			RequestID: []byte(e.RequestID), Address: []byte(e.Address), Summary: e.Summary})
		if err != nil || !HashMatches(sum, []byte(want)) {
			t.Errorf("event %d: the reused hasher gives %x (%v), want %s", e.Seq, sum, err, want)
		}
	}
}
