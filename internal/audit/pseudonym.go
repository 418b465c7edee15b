package audit

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// Subject is a user whose id appears in the trail only as a pseudonym. The
// key lives in a table outside the hashed bytes; destroying it (an erasure
// request) leaves a pseudonym nobody can link back to the user, while every
// hash and checkpoint stays valid.
type Subject struct {
	ID        string
	Pseudonym string
	Key       []byte
	CreatedAt time.Time
}

// pseudonymPrefix marks pseudonyms so that they are never mistaken for ids.
const pseudonymPrefix = "psn_"

// NewSubject makes a random key for a user and the pseudonym it gives.
func NewSubject(id string, now time.Time) (Subject, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return Subject{}, err
	}
	return Subject{ID: id, Key: key, Pseudonym: Pseudonym(key, id), CreatedAt: now}, nil
}

// Pseudonym is a keyed HMAC of the user id, so that the mapping table cannot
// be edited to point a pseudonym at another user without verify noticing,
// and so that without the key even a guessable id cannot be confirmed.
func Pseudonym(key []byte, id string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return pseudonymPrefix + hex.EncodeToString(m.Sum(nil)[:16])
}

// personal reports whether an id of this kind is a user's, and so is kept as
// a pseudonym.
func personalActor(a Actor) bool   { return a.Type == ActorUser }
func personalTarget(t Target) bool { return t.Type == TargetUser }
