package domain_test

import (
	"encoding/hex"
	"fmt"
	"testing"

	"assure/domain"
)

// The inputs and tree heads below are the reference vectors of RFC 6962's
// implementations (Certificate Transparency): any correct tree gives them.
var rfc6962Inputs = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}

var rfc6962Roots = []string{
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

var rfc6962Proofs = []struct {
	index, size int
	proof       []string
}{
	{0, 8, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, 8, []string{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
	{2, 3, []string{"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
	{0, 1, nil},
}

func rfc6962Leaves(t *testing.T) []domain.MerkleHash {
	t.Helper()
	var out []domain.MerkleHash
	for _, in := range rfc6962Inputs {
		b, err := hex.DecodeString(in)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, domain.MerkleLeaf(b))
	}
	return out
}

func TestMerkleTreeHeadsMatchRFC6962(t *testing.T) {
	leaves := rfc6962Leaves(t)
	for n := 0; n <= len(leaves); n++ {
		if got := domain.MerkleRoot(leaves[:n]).String(); got != rfc6962Roots[n] {
			t.Errorf("root of %d leaves = %s, want %s", n, got, rfc6962Roots[n])
		}
	}
}

func TestMerkleInclusionProofsMatchRFC6962(t *testing.T) {
	leaves := rfc6962Leaves(t)
	for _, tc := range rfc6962Proofs {
		proof, err := domain.MerkleInclusionProof(leaves[:tc.size], tc.index)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := fmt.Sprint(proof), fmt.Sprint(tc.proof); got != want && !(len(proof) == 0 && len(tc.proof) == 0) {
			t.Errorf("proof of leaf %d in %d = %v, want %v", tc.index, tc.size, got, want)
		}
		root, _ := domain.ParseMerkleHash(rfc6962Roots[tc.size])
		if err := domain.VerifyMerkleInclusion(leaves[tc.index], int64(tc.index), int64(tc.size), proof, root); err != nil {
			t.Errorf("leaf %d in %d: %v", tc.index, tc.size, err)
		}
	}
}

// badProof is an inclusion check that must fail.
type badProof struct {
	name        string
	leaf        domain.MerkleHash
	index, size int64
	proof       []domain.MerkleHash
	root        domain.MerkleHash
}

// Every leaf of every tree up to 40 leaves proves, and a proof checked with
// another leaf, index, size or root, or cut short or grown, does not.
func TestMerkleInclusionEveryShape(t *testing.T) {
	var all []domain.MerkleHash
	for i := range 40 {
		all = append(all, domain.MerkleLeaf([]byte{byte(i), byte(i * 7)}))
	}
	for n := 1; n <= len(all); n++ {
		leaves := all[:n]
		root := domain.MerkleRoot(leaves)
		for i := range n {
			proof, err := domain.MerkleInclusionProof(leaves, i)
			if err != nil {
				t.Fatal(err)
			}
			if err := domain.VerifyMerkleInclusion(leaves[i], int64(i), int64(n), proof, root); err != nil {
				t.Fatalf("leaf %d of %d: %v", i, n, err)
			}
			other := leaves[(i+1)%n]
			bad := []badProof{
				{"wrong root", leaves[i], int64(i), int64(n), proof, domain.MerkleLeaf([]byte("x"))},
				{"index past the size", leaves[i], int64(n), int64(n), proof, root},
				{"grown proof", leaves[i], int64(i), int64(n), append(append([]domain.MerkleHash{}, proof...), root), root},
			}
			if n > 1 {
				bad = append(bad, badProof{"another leaf", other, int64(i), int64(n), proof, root},
					badProof{"cut short", leaves[i], int64(i), int64(n), proof[:len(proof)-1], root})
			}
			for _, b := range bad {
				if domain.VerifyMerkleInclusion(b.leaf, b.index, b.size, b.proof, b.root) == nil {
					t.Errorf("leaf %d of %d: %s verifies", i, n, b.name)
				}
			}
		}
	}
	if _, err := domain.MerkleInclusionProof(all[:3], 3); domain.ErrorCodeOf(err) != domain.EInvalid {
		t.Errorf("proof of a leaf past the tree = %v", err)
	}
}
