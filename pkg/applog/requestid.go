package applog

import (
	"crypto/rand"
	"encoding/hex"
)

// RequestIDHeader is the header Middleware reads the caller's request ID
// from and echoes it, or a new one, back in.
const RequestIDHeader = "X-Request-ID"

// maxRequestIDLen bounds what a client can make us write on every line.
const maxRequestIDLen = 128

// NewRequestID returns a new request ID: 128 random bits as 32 lowercase hex
// digits. Hex rather than a UUID keeps all 128 bits random and the ID easy to
// select with a double click in a terminal.
func NewRequestID() string {
	var b [16]byte
	rand.Read(b[:]) // never fails since Go 1.24; it crashes the program instead.
	return hex.EncodeToString(b[:])
}

// validRequestID reports whether an incoming ID is safe to adopt: 1 to 128
// characters of [A-Za-z0-9._:-]. Anything else is replaced rather than
// cleaned, because the header comes from outside and ends up in every log
// line and in downstream requests.
func validRequestID(id string) bool {
	if len(id) == 0 || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '.', c == '_', c == ':', c == '-':
		default:
			return false
		}
	}
	return true
}
