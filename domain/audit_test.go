package domain

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

func TestEventHash(t *testing.T) {
	e, err := NewEvent(Actor{UserID: "u1", Email: "a@b.test", Role: RoleAdmin, RequestID: "r1"},
		"user.create", "user", "u2", "", map[string]any{"b": 1.50, "a": "é<x>", "n": []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	e.Seq, e.At, e.PrevHash = 7, time.Date(2026, 1, 2, 3, 4, 5, 123456000, time.UTC), GenesisHash
	h1, err := e.ComputeHash()
	if err != nil {
		t.Fatal(err)
	}
	// The same content stored differently (as PostgreSQL's jsonb gives it
	// back: other key order and spacing) hashes alike.
	e.Summary = json.RawMessage(`{"a": "é<x>", "b": 1.5, "n": [1, 2]}`)
	h2, _ := e.ComputeHash()
	if h1 != h2 {
		t.Error("hash depends on the summary's layout")
	}
	for name, change := range map[string]func(*Event){
		"summary": func(e *Event) { e.Summary = json.RawMessage(`{"a":"é<x>","b":1.5,"n":[1,3]}`) },
		"actor":   func(e *Event) { e.ActorID = "u3" },
		"time":    func(e *Event) { e.At = e.At.Add(time.Microsecond) },
		"seq":     func(e *Event) { e.Seq = 8 },
		"prev":    func(e *Event) { e.PrevHash = h1 },
		"fields":  func(e *Event) { e.ObjectType, e.ObjectID = "user;u2", "" },
	} {
		c := e
		change(&c)
		if h, _ := c.ComputeHash(); h == h1 {
			t.Errorf("changing the %s keeps the hash", name)
		}
	}
}

// knownEvent has every field set, each to a value no other field has.
func knownEvent() Event {
	return Event{
		Seq:        4711,
		At:         time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC),
		ActorID:    "3f0c2a9e-0000-4000-8000-000000000001",
		ActorEmail: "ama.mensah@regulator.test",
		ActorRole:  "supervisor",
		Action:     "response.verdict",
		ObjectType: "response",
		ObjectID:   "9b1d5e7c-0000-4000-8000-000000000002/C52",
		ProviderID: "5e8a1b3d-0000-4000-8000-000000000003",
		RequestID:  "req-7d41",
		Address:    "192.0.2.44",
		Summary:    json.RawMessage(`{"verdict":"rejected","comment":"No evidence of MFA."}`),
		PrevHash:   "a3f1c9d27b8e4f60a3f1c9d27b8e4f60a3f1c9d27b8e4f60a3f1c9d27b8e4f60",
		Hash:       "not an input of its own hash",
	}
}

// knownEventHash is knownEvent's hash, worked out once by hand from the
// encoding ComputeHash describes (length-prefixed fields, summary keys
// sorted). It is written down so that a change of the encoding, which would
// break the verification of every stored trail, cannot pass unnoticed.
const knownEventHash = "de0cf496e3f6fd300562c2cd0c260efadcf312cb9a6a603d2f55d7f2f6e9ad49"

func TestEventHashKnownAnswer(t *testing.T) {
	h, err := knownEvent().ComputeHash()
	if err != nil {
		t.Fatal(err)
	}
	if h != knownEventHash {
		t.Errorf("hash of the known event = %s, want %s", h, knownEventHash)
	}
}

// TestEventHashCoversEveryField changes each field of the event in turn, by
// reflection, so a field added to Event but left out of the hash fails here.
func TestEventHashCoversEveryField(t *testing.T) {
	base := knownEvent()
	want, err := base.ComputeHash()
	if err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeFor[Event]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Name == "Hash" {
			continue // the output, not an input
		}
		e := base
		v := reflect.ValueOf(&e).Elem().Field(i)
		switch {
		case f.Type == reflect.TypeFor[time.Time]():
			v.Set(reflect.ValueOf(base.At.Add(time.Microsecond))) // the encoding keeps microseconds
		case f.Type == reflect.TypeFor[json.RawMessage]():
			v.Set(reflect.ValueOf(json.RawMessage(`{"verdict":"accepted"}`)))
		case f.Type.Kind() == reflect.String:
			v.SetString(v.String() + "x")
		case f.Type.Kind() == reflect.Int64:
			v.SetInt(v.Int() + 1)
		default:
			t.Errorf("Event.%s is a %s: teach this test to change it, and the hash to cover it", f.Name, f.Type)
			continue
		}
		got, err := e.ComputeHash()
		if err != nil {
			t.Errorf("Event.%s changed: %v", f.Name, err)
			continue
		}
		if got == want {
			t.Errorf("changing Event.%s keeps the hash: the field is not hashed", f.Name)
		}
	}
}
