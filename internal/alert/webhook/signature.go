package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Headers of a signed request.
const (
	HeaderSignature = "X-Warden-Signature"
	HeaderTimestamp = "X-Warden-Timestamp"
)

// DefaultTolerance is how old a signed request a receiver should accept;
// long enough for clock skew and a slow network, short enough that a
// captured request cannot be replayed later.
const DefaultTolerance = 5 * time.Minute

// Sign returns the X-Warden-Signature value for body sent at timestamp
// (Unix seconds, as in X-Warden-Timestamp): "sha256=" and the hex HMAC-SHA256
// of timestamp + "." + body under secret. Binding the timestamp into the MAC
// means an attacker cannot replay an old body with a fresh timestamp.
func Sign(secret, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether signature (the X-Warden-Signature header) signs
// body sent at timestamp (the X-Warden-Timestamp header) under secret. It
// compares in constant time. It does not look at the clock: a receiver
// should also check Fresh, or remember the signatures it has seen.
func Verify(secret, timestamp string, body []byte, signature string) bool {
	if secret == "" || !strings.HasPrefix(signature, "sha256=") {
		return false
	}
	return hmac.Equal([]byte(Sign(secret, timestamp, body)), []byte(signature))
}

// Fresh reports whether timestamp (Unix seconds) lies within tolerance of
// now in either direction, so a receiver can refuse replays.
func Fresh(timestamp string, now time.Time, tolerance time.Duration) bool {
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return false
	}
	d := now.Sub(time.Unix(secs, 0))
	return d <= tolerance && d >= -tolerance
}
