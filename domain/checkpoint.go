package domain

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Checkpoint is a signed statement of the audit chain's head: the event with
// sequence number Seq had hash Hash when the head was signed At. The key that
// signs it is held outside the database, so someone who can rewrite the
// chain and its head together still cannot make a new history extend a
// checkpoint written before.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	At        time.Time `json:"at"`
	KeyID     string    `json:"key_id"`
	Signature string    `json:"signature"` // base64 Ed25519 signature over SignedBytes
	// TreeSize and TreeRoot, when set, sign the RFC 6962 Merkle tree over
	// the hashes of events 1 to TreeSize (= Seq): one event can then be
	// proved in the signed history with an inclusion proof alone.
	TreeSize int64  `json:"tree_size,omitempty"`
	TreeRoot string `json:"tree_root,omitempty"`
}

// checkpointDomain starts every signed message, so a checkpoint signature
// cannot be taken for a signature over anything else made with the same key.
const checkpointDomain = "assure audit checkpoint v1"

// treeCheckpointDomain starts the signed message of a checkpoint that also
// signs a Merkle tree head, so neither form can pass for the other.
const treeCheckpointDomain = "assure audit checkpoint v2"

// SignedBytes is the canonical encoding the signature covers: one field a
// line, the time in UTC to the microsecond like the events' own hashes; a
// checkpoint with a tree head adds its size and root.
func (c Checkpoint) SignedBytes() []byte {
	fields := []string{
		checkpointDomain,
		strconv.FormatInt(c.Seq, 10),
		c.Hash,
		c.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		c.KeyID,
	}
	if c.TreeRoot != "" {
		fields[0] = treeCheckpointDomain
		fields = append(fields, strconv.FormatInt(c.TreeSize, 10), c.TreeRoot)
	}
	return []byte(strings.Join(fields, "\n") + "\n")
}

// SignTreeCheckpoint signs the head seq/hash at time at together with the
// root of the Merkle tree over the first seq events.
func SignTreeCheckpoint(key ed25519.PrivateKey, seq int64, hash string, root MerkleHash, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Microsecond),
		KeyID: KeyID(key.Public().(ed25519.PublicKey)), TreeSize: seq, TreeRoot: root.String()}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.SignedBytes()))
	return c
}

// VerifyEventInclusion checks, with an inclusion proof alone, that the
// event of sequence number seq with hash eventHash is in the history c
// signs. c's signature is checked apart (Verify). EInvalid when c has no
// tree head, seq is past it, or the proof does not lead to its root.
func (c Checkpoint) VerifyEventInclusion(seq int64, eventHash string, proof []string) error {
	if c.TreeRoot == "" {
		return Errorf(EInvalid, "the checkpoint of seq %d signs no Merkle tree head", c.Seq)
	}
	leaf, err := EventLeaf(eventHash)
	if err != nil {
		return err
	}
	root, err := ParseMerkleHash(c.TreeRoot)
	if err != nil {
		return err
	}
	path := make([]MerkleHash, len(proof))
	for i, p := range proof {
		if path[i], err = ParseMerkleHash(p); err != nil {
			return err
		}
	}
	if err := VerifyMerkleInclusion(leaf, seq-1, c.TreeSize, path, root); err != nil {
		why := err.Error()
		if e, ok := AsError(err); ok {
			why = e.Message
		}
		return Errorf(EInvalid, "event %d is not proved in the checkpoint of seq %d: %s", seq, c.Seq, why)
	}
	return nil
}

// KeyID is the fingerprint of an Ed25519 public key: the first 16 bytes of
// SHA-256 over the raw key, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// SignCheckpoint signs the head seq/hash at time at with key.
func SignCheckpoint(key ed25519.PrivateKey, seq int64, hash string, at time.Time) Checkpoint {
	c := Checkpoint{Seq: seq, Hash: hash, At: at.UTC().Truncate(time.Microsecond),
		KeyID: KeyID(key.Public().(ed25519.PublicKey))}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, c.SignedBytes()))
	return c
}

// Verify checks the checkpoint's signature with pub. It returns EInvalid when
// the checkpoint names another key or the signature does not hold.
func (c Checkpoint) Verify(pub ed25519.PublicKey) error {
	if id := KeyID(pub); c.KeyID != id {
		return Errorf(EInvalid, "checkpoint of seq %d is signed by key %s, not by key %s", c.Seq, c.KeyID, id)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(pub, c.SignedBytes(), sig) {
		return Errorf(EInvalid, "checkpoint of seq %d has a signature that does not verify", c.Seq)
	}
	return nil
}

// ParseCheckpoint reads a checkpoint document and checks its form (not its
// signature). Unknown fields are refused, so a document is what it says.
func ParseCheckpoint(b []byte) (Checkpoint, error) {
	var c Checkpoint
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, Errorf(EInvalid, "not a checkpoint: %v", err)
	}
	switch {
	case c.Seq < 0:
		return c, Errorf(EInvalid, "checkpoint seq %d is negative", c.Seq)
	case !isHexHash(c.Hash):
		return c, Errorf(EInvalid, "checkpoint hash %q is not a SHA-256 in hex", c.Hash)
	case c.At.IsZero():
		return c, Errorf(EInvalid, "checkpoint has no time")
	case c.KeyID == "" || c.Signature == "":
		return c, Errorf(EInvalid, "checkpoint has no key id or signature")
	case c.TreeRoot != "" && (!isHexHash(c.TreeRoot) || c.TreeSize != c.Seq):
		return c, Errorf(EInvalid, "checkpoint tree head must be a SHA-256 in hex over tree_size = seq events")
	case c.TreeRoot == "" && c.TreeSize != 0:
		return c, Errorf(EInvalid, "checkpoint has a tree size and no tree root")
	}
	return c, nil
}

func isHexHash(s string) bool {
	b, err := hex.DecodeString(s)
	return err == nil && len(b) == sha256.Size && s == strings.ToLower(s)
}

// NewAuditKey makes a fresh Ed25519 key for signing checkpoints and returns
// it as a PKCS#8 PEM block.
func NewAuditKey() (ed25519.PrivateKey, []byte, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, fmt.Errorf("domain: audit key: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, fmt.Errorf("domain: audit key: %w", err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// ParseAuditKey reads a checkpoint signing key: a PKCS#8 PEM "PRIVATE KEY"
// block holding an Ed25519 key (as `assure audit keygen` and
// `openssl genpkey -algorithm ed25519` write), or the 32-byte seed in
// standard base64, which fits an environment variable.
func ParseAuditKey(b []byte) (ed25519.PrivateKey, error) {
	text := strings.TrimSpace(string(b))
	if block, _ := pem.Decode([]byte(text)); block != nil {
		if block.Type != "PRIVATE KEY" {
			return nil, Errorf(EInvalid, "audit key: a %q PEM block, want PRIVATE KEY (PKCS#8)", block.Type)
		}
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, Errorf(EInvalid, "audit key: %v", err)
		}
		key, ok := k.(ed25519.PrivateKey)
		if !ok {
			return nil, Errorf(EInvalid, "audit key: not an Ed25519 key")
		}
		return key, nil
	}
	seed, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, Errorf(EInvalid, "audit key: neither a PKCS#8 PEM block nor a 32-byte seed in base64")
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// PublicKeyPEM encodes pub as a PKIX PEM "PUBLIC KEY" block.
func PublicKeyPEM(pub ed25519.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err) // an Ed25519 key always marshals
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// ParsePublicKey reads a checkpoint verification key: a PKIX PEM "PUBLIC
// KEY" block, or the raw 32-byte key in standard base64.
func ParsePublicKey(b []byte) (ed25519.PublicKey, error) {
	text := strings.TrimSpace(string(b))
	if block, _ := pem.Decode([]byte(text)); block != nil {
		if block.Type != "PUBLIC KEY" {
			return nil, Errorf(EInvalid, "public key: a %q PEM block, want PUBLIC KEY", block.Type)
		}
		k, err := x509.ParsePKIXPublicKey(block.Bytes)
		if err != nil {
			return nil, Errorf(EInvalid, "public key: %v", err)
		}
		pub, ok := k.(ed25519.PublicKey)
		if !ok {
			return nil, Errorf(EInvalid, "public key: not an Ed25519 key")
		}
		return pub, nil
	}
	raw, err := base64.StdEncoding.DecodeString(text)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, Errorf(EInvalid, "public key: neither a PEM block nor a 32-byte key in base64")
	}
	return ed25519.PublicKey(raw), nil
}
