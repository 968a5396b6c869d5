package store

import (
	"bytes"
	"testing"
	"time"
)

// TestNewUUIDsAreOrdered: the ids of one opening sort in the order they
// were made, and carry version 7 and the RFC variant.
func TestNewUUIDsAreOrdered(t *testing.T) {
	at := time.Now()
	var last []byte
	for _, seq := range []int{0, 1, 255, 256, 16383, 16384, 1 << 22, 1<<26 - 1} {
		text, u := newUUID(at, seq)
		if !isUUID(text) || u.Bytes[6]>>4 != 7 || u.Bytes[8]>>6 != 2 {
			t.Fatalf("id %d = %s", seq, text)
		}
		if last != nil && bytes.Compare(last, u.Bytes[:]) >= 0 {
			t.Fatalf("id %d (%s) sorts before the one made before it", seq, text)
		}
		last = append([]byte(nil), u.Bytes[:]...)
	}
}
