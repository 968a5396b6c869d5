package domain

import (
	"crypto/sha256"
	"encoding/hex"
	"math/bits"
)

// The audit trail's Merkle tree follows RFC 6962 (section 2.1): a leaf is
// SHA-256 over 0x00 and its data, an inner node SHA-256 over 0x01 and its
// two children, and a tree of n leaves splits at the largest power of two
// below n. Its leaves are the events' own hashes in sequence order, so a
// checkpoint that signs the tree's root lets one event be proved to be in
// the signed history with about log2(n) hashes, without the whole chain.

// MerkleHash is a node of the tree.
type MerkleHash [sha256.Size]byte

// String is the hash in lower-case hex.
func (h MerkleHash) String() string { return hex.EncodeToString(h[:]) }

// ParseMerkleHash reads a hash in hex; EInvalid when it is not one.
func ParseMerkleHash(s string) (MerkleHash, error) {
	var h MerkleHash
	if !isHexHash(s) {
		return h, Errorf(EInvalid, "%q is not a SHA-256 in lower-case hex", s)
	}
	hex.Decode(h[:], []byte(s))
	return h, nil
}

// MerkleLeaf is the leaf hash of data.
func MerkleLeaf(data []byte) MerkleHash {
	return sha256.Sum256(append([]byte{0}, data...))
}

// EventLeaf is the leaf of an audit event: the leaf hash of its 32-byte
// hash. EInvalid when hash is not a SHA-256 in hex.
func EventLeaf(hash string) (MerkleHash, error) {
	h, err := ParseMerkleHash(hash)
	if err != nil {
		return h, err
	}
	return MerkleLeaf(h[:]), nil
}

func merkleNode(left, right MerkleHash) MerkleHash {
	b := make([]byte, 0, 1+2*sha256.Size)
	b = append(append(append(b, 1), left[:]...), right[:]...)
	return sha256.Sum256(b)
}

// merkleSplit is the largest power of two smaller than n (n > 1).
func merkleSplit(n int) int { return 1 << (bits.Len(uint(n-1)) - 1) }

// MerkleRoot is the root of the tree over leaves (leaf hashes); the root of
// no leaves is SHA-256 of nothing.
func MerkleRoot(leaves []MerkleHash) MerkleHash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := merkleSplit(len(leaves))
	return merkleNode(MerkleRoot(leaves[:k]), MerkleRoot(leaves[k:]))
}

// MerkleInclusionProof returns the hashes that prove leaf index (from 0) is
// in the tree over leaves, nearest the leaf first. EInvalid when index is
// not a leaf of the tree.
func MerkleInclusionProof(leaves []MerkleHash, index int) ([]MerkleHash, error) {
	if index < 0 || index >= len(leaves) {
		return nil, Errorf(EInvalid, "leaf %d is not in a tree of %d leaves", index, len(leaves))
	}
	var proof []MerkleHash
	for len(leaves) > 1 {
		k := merkleSplit(len(leaves))
		if index < k {
			proof = append(proof, MerkleRoot(leaves[k:]))
			leaves = leaves[:k]
		} else {
			proof = append(proof, MerkleRoot(leaves[:k]))
			leaves, index = leaves[k:], index-k
		}
	}
	// Gathered from the root down; a proof lists them from the leaf up.
	for i, j := 0, len(proof)-1; i < j; i, j = i+1, j-1 {
		proof[i], proof[j] = proof[j], proof[i]
	}
	return proof, nil
}

// VerifyMerkleInclusion checks that leaf is leaf index (from 0) of the tree
// of size leaves whose root is root, by the proof's hashes (RFC 9162,
// section 2.1.3.2). EInvalid when it does not hold.
func VerifyMerkleInclusion(leaf MerkleHash, index, size int64, proof []MerkleHash, root MerkleHash) error {
	if index < 0 || index >= size {
		return Errorf(EInvalid, "leaf %d is not in a tree of %d leaves", index, size)
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range proof {
		if sn == 0 {
			return Errorf(EInvalid, "the inclusion proof is longer than a tree of %d leaves needs", size)
		}
		if fn&1 == 1 || fn == sn {
			r = merkleNode(p, r)
			for fn&1 == 0 && fn != 0 {
				fn, sn = fn>>1, sn>>1
			}
		} else {
			r = merkleNode(r, p)
		}
		fn, sn = fn>>1, sn>>1
	}
	if sn != 0 || r != root {
		return Errorf(EInvalid, "the inclusion proof of leaf %d does not lead to the tree's root", index)
	}
	return nil
}
