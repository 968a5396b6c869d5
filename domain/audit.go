package domain

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Event is one entry of the audit trail: who did what to which object, when,
// and a summary of what changed.
type Event struct {
	Seq        int64
	At         time.Time
	ActorID    string
	ActorEmail string
	ActorRole  string
	Action     string // e.g. "user.create", "session.login_failed"
	ObjectType string
	ObjectID   string
	ProviderID string
	RequestID  string
	Address    string
	Summary    json.RawMessage // a JSON object
	PrevHash   string
	Hash       string
}

// GenesisHash is the previous hash of the first event.
var GenesisHash = strings.Repeat("0", 64)

// NewEvent starts an event performed by actor on an object.
func NewEvent(actor Actor, action, objectType, objectID, providerID string, summary any) (Event, error) {
	b, err := json.Marshal(summary)
	if err != nil {
		return Event{}, fmt.Errorf("domain: audit summary: %w", err)
	}
	if summary == nil {
		b = []byte("{}")
	}
	return Event{ActorID: actor.UserID, ActorEmail: actor.Email, ActorRole: string(actor.Role),
		Action: action, ObjectType: objectType, ObjectID: objectID, ProviderID: providerID,
		RequestID: actor.RequestID, Address: actor.Address, Summary: b}, nil
}

// ComputeHash returns the event's hash: SHA-256 over the previous hash and the
// canonical encoding of every other field. The encoding is independent of how
// PostgreSQL stores the summary (key order, spacing), so a hash computed when
// the event is written can be recomputed from the stored row.
func (e Event) ComputeHash() (string, error) {
	var h EventHasher
	sum, err := h.Sum(&EventFields{PrevHash: []byte(e.PrevHash), Seq: e.Seq, At: e.At,
		ActorID: []byte(e.ActorID), ActorEmail: []byte(e.ActorEmail), ActorRole: []byte(e.ActorRole),
		Action: []byte(e.Action), ObjectType: []byte(e.ObjectType), ObjectID: []byte(e.ObjectID),
		ProviderID: []byte(e.ProviderID), RequestID: []byte(e.RequestID), Address: []byte(e.Address),
		Summary: e.Summary})
	if err != nil {
		return "", err
	}
	return hex.EncodeToString(sum[:]), nil
}

// CanonicalJSON re-encodes a JSON document with object keys sorted, no
// insignificant space and numbers kept as written.
func CanonicalJSON(b []byte) ([]byte, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return []byte("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("domain: canonical json: %w", err)
	}
	return json.Marshal(v)
}
