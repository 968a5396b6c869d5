package domain

import (
	"encoding/json"
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
