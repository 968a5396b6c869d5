package domain

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// AppendCanonicalJSON appends CanonicalJSON(src) to dst. Documents whose
// strings need no escaping, which is nearly every audit summary, are
// re-encoded by a small scanner that allocates nothing once its buffers have
// grown; any other document goes through CanonicalJSON itself, so both give
// the same bytes for every input.
func AppendCanonicalJSON(dst, src []byte, c *Canonicalizer) ([]byte, error) {
	if c == nil {
		c = &Canonicalizer{}
	}
	out, err := c.appendFast(dst, src)
	if err == nil {
		return out, nil
	}
	slow, err := CanonicalJSON(src)
	if err != nil {
		return dst, err
	}
	return append(dst, slow...), nil
}

// Canonicalizer holds the buffers AppendCanonicalJSON reuses from one
// document to the next. Its zero value is ready; it is not safe for use by
// more than one goroutine at once.
type Canonicalizer struct {
	scratch [][]byte // one buffer per object nesting level
	members [][]member
}

// member is one object member seen by the scanner: its key as written (it
// holds no escapes) and its re-encoded value, as offsets into the level's
// scratch buffer.
type member struct {
	key        []byte
	start, end int
}

// errNotFast means the scanner leaves the document to CanonicalJSON: it
// escapes a character, repeats a key, nests deeply or is not JSON.
var errNotFast = errors.New("domain: canonical json: not for the fast path")

const fastMaxDepth = 200

func (c *Canonicalizer) appendFast(dst, src []byte) ([]byte, error) {
	i := skipSpace(src, 0)
	if i == len(src) {
		if len(bytes.TrimSpace(src)) != 0 {
			return dst, errNotFast
		}
		return append(dst, "{}"...), nil
	}
	start := len(dst)
	dst, i, err := c.value(dst, src, i, 0)
	if err != nil || skipSpace(src, i) != len(src) {
		return dst[:start], errNotFast
	}
	return dst, nil
}

func skipSpace(src []byte, i int) int {
	for i < len(src) {
		switch src[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// value re-encodes the value at src[i:] onto dst and returns the index
// after it.
func (c *Canonicalizer) value(dst, src []byte, i, depth int) ([]byte, int, error) {
	if i >= len(src) {
		return dst, i, errNotFast
	}
	switch b := src[i]; {
	case b == '{':
		return c.object(dst, src, i, depth)
	case b == '[':
		return c.array(dst, src, i, depth)
	case b == '"':
		s, j, err := plainString(src, i)
		if err != nil {
			return dst, i, err
		}
		dst = append(append(append(dst, '"'), s...), '"')
		return dst, j, nil
	case b == '-' || (b >= '0' && b <= '9'):
		j, err := number(src, i)
		if err != nil {
			return dst, i, err
		}
		return append(dst, src[i:j]...), j, nil
	default:
		for _, lit := range [...]string{"true", "false", "null"} {
			if bytes.HasPrefix(src[i:], []byte(lit)) {
				return append(dst, lit...), i + len(lit), nil
			}
		}
		return dst, i, errNotFast
	}
}

func (c *Canonicalizer) array(dst, src []byte, i, depth int) ([]byte, int, error) {
	if depth >= fastMaxDepth {
		return dst, i, errNotFast
	}
	dst = append(dst, '[')
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == ']' {
		return append(dst, ']'), i + 1, nil
	}
	for {
		var err error
		if dst, i, err = c.value(dst, src, skipSpace(src, i), depth+1); err != nil {
			return dst, i, err
		}
		i = skipSpace(src, i)
		if i >= len(src) {
			return dst, i, errNotFast
		}
		switch src[i] {
		case ',':
			dst = append(dst, ',')
			i++
		case ']':
			return append(dst, ']'), i + 1, nil
		default:
			return dst, i, errNotFast
		}
	}
}

// object re-encodes an object with its keys in byte order, as encoding/json
// writes a map: each value is encoded into the level's scratch buffer, then
// the members are written sorted.
func (c *Canonicalizer) object(dst, src []byte, i, depth int) ([]byte, int, error) {
	if depth >= fastMaxDepth {
		return dst, i, errNotFast
	}
	for len(c.scratch) <= depth {
		c.scratch = append(c.scratch, nil)
		c.members = append(c.members, nil)
	}
	scratch, members := c.scratch[depth][:0], c.members[depth][:0]
	defer func() { c.scratch[depth], c.members[depth] = scratch[:0], members[:0] }()
	i = skipSpace(src, i+1)
	if i < len(src) && src[i] == '}' {
		return append(dst, "{}"...), i + 1, nil
	}
	for {
		i = skipSpace(src, i)
		key, j, err := plainString(src, i)
		if err != nil {
			return dst, i, err
		}
		i = skipSpace(src, j)
		if i >= len(src) || src[i] != ':' {
			return dst, i, errNotFast
		}
		start := len(scratch)
		if scratch, i, err = c.value(scratch, src, skipSpace(src, i+1), depth+1); err != nil {
			return dst, i, err
		}
		members = append(members, member{key: key, start: start, end: len(scratch)})
		i = skipSpace(src, i)
		if i >= len(src) {
			return dst, i, errNotFast
		}
		if src[i] == '}' {
			i++
			break
		}
		if src[i] != ',' {
			return dst, i, errNotFast
		}
		i++
	}
	slices.SortFunc(members, func(a, b member) int { return bytes.Compare(a.key, b.key) })
	for k := 1; k < len(members); k++ {
		if bytes.Equal(members[k-1].key, members[k].key) {
			// encoding/json keeps the last; leave that to it.
			return dst, i, errNotFast
		}
	}
	dst = append(dst, '{')
	for k, m := range members {
		if k > 0 {
			dst = append(dst, ',')
		}
		dst = append(append(append(dst, '"'), m.key...), '"', ':')
		dst = append(dst, scratch[m.start:m.end]...)
	}
	return append(dst, '}'), i, nil
}

// plainString returns the contents of the string at src[i:] when
// encoding/json would write them back unchanged: no escape, no control
// character, none of < > & (which it escapes for HTML), no U+2028 or U+2029,
// valid UTF-8. Any other string is errNotFast.
func plainString(src []byte, i int) ([]byte, int, error) {
	if i >= len(src) || src[i] != '"' {
		return nil, i, errNotFast
	}
	for j := i + 1; j < len(src); {
		b := src[j]
		switch {
		case b == '"':
			return src[i+1 : j], j + 1, nil
		case b < 0x20 || b == '\\' || b == '<' || b == '>' || b == '&':
			return nil, j, errNotFast
		case b < utf8.RuneSelf:
			j++
		default:
			r, size := utf8.DecodeRune(src[j:])
			if r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
				return nil, j, errNotFast
			}
			j += size
		}
	}
	return nil, len(src), errNotFast
}

// number returns the index after the JSON number at src[i:].
func number(src []byte, i int) (int, error) {
	digits := func(j int) int {
		for j < len(src) && src[j] >= '0' && src[j] <= '9' {
			j++
		}
		return j
	}
	j := i
	if src[j] == '-' {
		j++
	}
	switch {
	case j < len(src) && src[j] == '0':
		j++
	case j < len(src) && src[j] >= '1' && src[j] <= '9':
		j = digits(j)
	default:
		return j, errNotFast
	}
	if j < len(src) && src[j] == '.' {
		k := digits(j + 1)
		if k == j+1 {
			return j, errNotFast
		}
		j = k
	}
	if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
		j++
		if j < len(src) && (src[j] == '+' || src[j] == '-') {
			j++
		}
		k := digits(j)
		if k == j {
			return j, errNotFast
		}
		j = k
	}
	return j, nil
}

// EventFields are an event's fields as bytes, the way a verifier reads them
// from the database, so that hashing a stored row copies nothing. Summary
// is the stored JSON, in any spacing and key order.
type EventFields struct {
	PrevHash   []byte
	Seq        int64
	At         time.Time
	ActorID    []byte
	ActorEmail []byte
	ActorRole  []byte
	Action     []byte
	ObjectType []byte
	ObjectID   []byte
	ProviderID []byte
	RequestID  []byte
	Address    []byte
	Summary    []byte
}

// EventHasher computes event hashes (Event.ComputeHash) with buffers it
// reuses, for walks over millions of events. Its zero value is ready; it is
// not safe for use by more than one goroutine at once.
type EventHasher struct {
	buf, summary []byte
	canon        Canonicalizer
}

// Sum returns the event's hash: SHA-256 over the previous hash and the
// canonical encoding of every other field, each written as its length, a
// colon, the field and a semicolon, so no two different field lists encode
// alike. The error is a summary that is not JSON.
func (h *EventHasher) Sum(e *EventFields) ([sha256.Size]byte, error) {
	var err error
	h.summary, err = AppendCanonicalJSON(h.summary[:0], e.Summary, &h.canon)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	b := appendField(h.buf[:0], e.PrevHash)
	var num [20]byte
	b = appendField(b, strconv.AppendInt(num[:0], e.Seq, 10))
	var at [32]byte
	b = appendField(b, e.At.UTC().AppendFormat(at[:0], "2006-01-02T15:04:05.000000Z"))
	for _, f := range [...][]byte{e.ActorID, e.ActorEmail, e.ActorRole, e.Action, e.ObjectType, e.ObjectID,
		e.ProviderID, e.RequestID, e.Address, h.summary} {
		b = appendField(b, f)
	}
	h.buf = b
	return sha256.Sum256(b), nil
}

func appendField(b, f []byte) []byte {
	b = strconv.AppendInt(b, int64(len(f)), 10)
	b = append(b, ':')
	b = append(b, f...)
	return append(b, ';')
}

// HashMatches reports whether sum, in lower-case hex, is hexHash.
func HashMatches(sum [sha256.Size]byte, hexHash []byte) bool {
	if len(hexHash) != 2*sha256.Size {
		return false
	}
	var enc [2 * sha256.Size]byte
	hex.Encode(enc[:], sum[:])
	return bytes.Equal(enc[:], hexHash)
}
