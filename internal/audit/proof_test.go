package audit_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/wardenhq/warden/internal/audit"
	"github.com/wardenhq/warden/internal/store"
)

// checkProof verifies p as an outside tool would: from the canonical bytes,
// with the merkle library's verifier and the published public key. With
// tamper set, the bytes are changed first and verification must fail.
func checkProof(t *testing.T, p audit.Proof, tamper func([]byte) []byte) {
	t.Helper()
	leafBytes := []byte(p.Canonical)
	if tamper != nil {
		leafBytes = tamper(bytes.Clone(leafBytes))
	}
	leaf := rfc6962.DefaultHasher.HashLeaf(leafBytes)
	var hashes [][]byte
	for _, h := range p.Hashes {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, b)
	}
	root, _ := hex.DecodeString(p.Checkpoint.Root)
	err := proof.VerifyInclusion(rfc6962.DefaultHasher, uint64(p.Seq), uint64(p.Size), leaf, hashes, root)
	if tamper == nil && err != nil {
		t.Fatalf("proof of %d in %d does not verify: %v", p.Seq, p.Size, err)
	}
	if tamper != nil && err == nil {
		t.Fatalf("proof of %d verifies for modified bytes", p.Seq)
	}
	pub, _ := hex.DecodeString(p.PublicKey)
	if err := p.Checkpoint.VerifySignature(ed25519.PublicKey(pub)); err != nil {
		t.Fatal(err)
	}
}

func TestInclusionProofs(t *testing.T) {
	forEach(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		receipts := e.appendN(t, 37)
		if _, err := e.svc.CheckpointNow(ctx, audit.CheckpointManual); err != nil {
			t.Fatal(err)
		}
		for _, r := range receipts {
			p, err := e.svc.InclusionProof(ctx, r.Seq)
			if err != nil {
				t.Fatal(err)
			}
			if p.Size != 37 || p.LeafHash != r.Hash {
				t.Fatalf("proof %+v for receipt %+v", p, r)
			}
			checkProof(t, p, nil)
			checkProof(t, p, func(b []byte) []byte { return bytes.Replace(b, []byte(`"success"`), []byte(`"failure"`), 1) })
		}
		// An event newer than the last checkpoint gets a fresh one.
		more := e.appendN(t, 1)
		p, err := e.svc.InclusionProof(ctx, more[0].Seq)
		if err != nil || p.Size != 38 {
			t.Fatalf("proof %+v, %v", p, err)
		}
		checkProof(t, p, nil)
	})
}
