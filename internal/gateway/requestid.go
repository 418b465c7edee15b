package gateway

import (
	"crypto/rand"
	"encoding/hex"
)

// HeaderRequestID carries the request ID in both directions.
const HeaderRequestID = "X-Request-ID"

// maxRequestID bounds an accepted request ID; longer ones are replaced.
const maxRequestID = 128

// ValidRequestID reports whether an incoming X-Request-ID may be kept: 1 to
// 128 characters of letters, digits and ._:-, enough for UUIDs, ULIDs and
// the IDs load balancers mint, and nothing that could forge a log line.
func ValidRequestID(s string) bool {
	if len(s) == 0 || len(s) > maxRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// NewRequestID mints a random 128-bit ID as 32 hex digits.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand does not fail on supported platforms
	return hex.EncodeToString(b[:])
}

// requestID keeps a well-formed incoming ID or mints one.
func requestID(incoming string) string {
	if ValidRequestID(incoming) {
		return incoming
	}
	return NewRequestID()
}
