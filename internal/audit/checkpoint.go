package audit

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Checkpoint kinds.
const (
	CheckpointScheduled = "scheduled"
	CheckpointManual    = "manual"
	// CheckpointRetention records a retention cut: which events were
	// removed and the Merkle state they leave behind.
	CheckpointRetention = "retention"
)

// checkpointOrigin names the log in every checkpoint, so that a signature
// over one cannot be replayed as another kind of statement.
const checkpointOrigin = "warden-audit"

// signaturePrefix is prepended to the JSON body before signing; an outside
// tool verifies ed25519(pub, signaturePrefix + body, signature).
const signaturePrefix = "warden-audit-checkpoint/v1\n"

// Checkpoint commits to the first Size events: the RFC 6962 root hash of
// their leaves at a time, signed with the key outside the database. Every
// field is a string or an integer so that the JSON re-encodes byte for byte
// and the signature can be checked on what was read back.
type Checkpoint struct {
	Origin string `json:"origin"`
	Size   int64  `json:"size"`
	Root   string `json:"root"` // hex
	Time   string `json:"time"` // TimeFormat
	Kind   string `json:"kind"`
	// Removed is set on retention checkpoints.
	Removed *Removal `json:"removed,omitempty"`
	KeyID   string   `json:"key_id"`
	// Signature is hex ed25519 over signaturePrefix + the JSON of the
	// checkpoint without this field.
	Signature string `json:"signature,omitempty"`
}

// Removal says what a retention run deleted and what verify needs to go on
// without it: the compact Merkle range of the removed leaves and the hash
// of the last one, which the first kept event links to.
type Removal struct {
	From   int64  `json:"from"` // first removed seq
	To     int64  `json:"to"`   // first kept seq (= Size)
	Count  int64  `json:"count"`
	Cutoff string `json:"cutoff"` // everything removed was recorded before this
	// Range holds the hex hashes of the perfect subtrees covering [0, To).
	Range    []string `json:"range"`
	LastHash string   `json:"last_hash"`
}

// Signer signs checkpoints with an ed25519 key.
type Signer struct {
	priv  ed25519.PrivateKey
	pub   ed25519.PublicKey
	keyID string
}

// NewSigner wraps a private key.
func NewSigner(priv ed25519.PrivateKey) *Signer {
	pub := priv.Public().(ed25519.PublicKey)
	return &Signer{priv: priv, pub: pub, keyID: KeyID(pub)}
}

// KeyID names a public key: the first 8 bytes of its SHA-256, in hex.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// PublicKey is the key that verifies checkpoints.
func (s *Signer) PublicKey() ed25519.PublicKey { return s.pub }

// KeyID names the signing key.
func (s *Signer) KeyID() string { return s.keyID }

// Sign fills in KeyID and Signature.
func (s *Signer) Sign(cp *Checkpoint) error {
	cp.KeyID = s.keyID
	msg, err := cp.signedBytes()
	if err != nil {
		return err
	}
	cp.Signature = hex.EncodeToString(ed25519.Sign(s.priv, msg))
	return nil
}

func (cp Checkpoint) signedBytes() ([]byte, error) {
	cp.Signature = ""
	body, err := json.Marshal(cp)
	if err != nil {
		return nil, err
	}
	return append([]byte(signaturePrefix), body...), nil
}

// VerifySignature checks cp's signature with pub.
func (cp Checkpoint) VerifySignature(pub ed25519.PublicKey) error {
	if cp.KeyID != KeyID(pub) {
		return fmt.Errorf("signed by key %s, not by the configured key %s", cp.KeyID, KeyID(pub))
	}
	sig, err := hex.DecodeString(cp.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errors.New("signature is not 64 bytes of hex")
	}
	msg, err := cp.signedBytes()
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return errors.New("signature does not match: the checkpoint was altered or forged")
	}
	return nil
}

// RootBytes decodes Root.
func (cp Checkpoint) RootBytes() []byte {
	b, _ := hex.DecodeString(cp.Root)
	return b
}

// At parses Time.
func (cp Checkpoint) At() time.Time {
	t, _ := time.Parse(TimeFormat, cp.Time)
	return t
}

// JSON is the checkpoint as one line of the published file.
func (cp Checkpoint) JSON() []byte {
	b, _ := json.Marshal(cp)
	return b
}
