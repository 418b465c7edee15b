package audit

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// LoadOrCreateSigner reads the PKCS #8 PEM ed25519 key at path, creating it
// (mode 0600, in a 0700 directory if that is new) when the file does not
// exist. The key lives outside the database on purpose: whoever can rewrite
// the database must not also be able to sign a matching checkpoint.
func LoadOrCreateSigner(path string) (*Signer, bool, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		s, err := createKey(path)
		return s, true, err
	}
	if err != nil {
		return nil, false, fmt.Errorf("audit signing key: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, false, fmt.Errorf("audit signing key %s is readable by others (mode %v); chmod 600 it", path, fi.Mode().Perm())
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, false, fmt.Errorf("audit signing key %s is not a PEM \"PRIVATE KEY\" (delete it to have Warden create a new one, which starts a new key id)", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, false, fmt.Errorf("audit signing key %s: %w", path, err)
	}
	priv, ok := k.(ed25519.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("audit signing key %s is not an ed25519 key", path)
	}
	return NewSigner(priv), false, nil
}

func createKey(path string) (*Signer, error) {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	// O_EXCL: two instances starting at once must not each write a key.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		s, _, err := LoadOrCreateSigner(path)
		return s, err
	}
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	return NewSigner(priv), nil
}
