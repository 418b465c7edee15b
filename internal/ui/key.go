package ui

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// keySize is the length of the session key: the block size of SHA-256's
// HMAC would allow more, but 32 random bytes are already beyond guessing.
const keySize = 32

// LoadOrCreateKey returns the session key kept in the file at path, creating
// the file (mode 0600, its directory 0700) with a new random key when it
// does not exist. Keeping the key means a restart signs nobody out; deleting
// the file signs everyone out. The new file appears complete or not at all,
// and when two processes race to create it both end up with the same key.
func LoadOrCreateKey(path string) ([]byte, error) {
	key, err := readKey(path)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("ui: create session key directory: %w", err)
	}
	key = make([]byte, keySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails
	tmp, err := os.CreateTemp(filepath.Dir(path), ".session-key-*")
	if err != nil {
		return nil, fmt.Errorf("ui: create session key: %w", err)
	}
	defer os.Remove(tmp.Name())
	// CreateTemp already makes the file 0600.
	_, err = tmp.Write(key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("ui: write session key %s: %w", path, err)
	}
	// Link, unlike Rename, refuses to replace a file another process
	// created in the meantime: then that process's key wins.
	if err := os.Link(tmp.Name(), path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKey(path)
		}
		return nil, fmt.Errorf("ui: create session key %s: %w", path, err)
	}
	return key, nil
}

func readKey(path string) ([]byte, error) {
	key, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("ui: read session key: %w", err)
	}
	if len(key) != keySize {
		return nil, fmt.Errorf("ui: session key %s holds %d bytes, want %d (delete it to make a new one; that signs everyone out)", path, len(key), keySize)
	}
	return key, nil
}
