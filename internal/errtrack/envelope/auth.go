package envelope

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// AuthError is a request whose key is missing or given more than once; it
// answers 401.
type AuthError struct{ Msg string }

func (e *AuthError) Error() string { return e.Msg }

// Key finds the DSN public key of a request: in X-Sentry-Auth, in
// "Authorization: Sentry ...", or in the sentry_key query parameter, and
// only when none of those carries one, in the envelope header's dsn
// (dsnFromEnvelope, empty for store bodies). A key given in two places, even
// the same key, is refused, as Sentry's relay does: a client that sends two
// is confused about which one counts.
func Key(r *http.Request, dsnFromEnvelope string) (string, error) {
	var found []string
	for _, h := range r.Header.Values("X-Sentry-Auth") {
		k, err := headerKey(h)
		if err != nil {
			return "", err
		}
		found = append(found, k)
	}
	for _, h := range r.Header.Values("Authorization") {
		scheme, _, _ := strings.Cut(strings.TrimSpace(h), " ")
		if !strings.EqualFold(scheme, "Sentry") {
			continue
		}
		k, err := headerKey(h)
		if err != nil {
			return "", err
		}
		found = append(found, k)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return "", &AuthError{"the query string is malformed: " + err.Error()}
	}
	for _, k := range q["sentry_key"] {
		found = append(found, strings.TrimSpace(k))
	}
	switch len(found) {
	case 0:
	case 1:
		if found[0] == "" {
			return "", &AuthError{"sentry_key is empty"}
		}
		return found[0], nil
	default:
		return "", &AuthError{"the key is given more than once (send it in one of X-Sentry-Auth, Authorization or ?sentry_key=)"}
	}
	if dsnFromEnvelope != "" {
		return DSNKey(dsnFromEnvelope)
	}
	return "", ErrMissingKey
}

// ErrMissingKey is the AuthError of a request that carries no key at all.
var ErrMissingKey = &AuthError{"missing key: send X-Sentry-Auth: Sentry sentry_key=<key>, ?sentry_key=<key>, or a dsn in the envelope header"}

// headerKey reads sentry_key from `Sentry sentry_key=k, sentry_version=7,
// ...` (the "Sentry " prefix is optional in X-Sentry-Auth).
func headerKey(h string) (string, error) {
	h = strings.TrimSpace(h)
	if scheme, rest, ok := strings.Cut(h, " "); ok && strings.EqualFold(scheme, "Sentry") {
		h = rest
	}
	key, seen := "", false
	for _, part := range strings.Split(h, ",") {
		name, value, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || strings.TrimSpace(name) != "sentry_key" {
			continue
		}
		if seen {
			return "", &AuthError{"sentry_key appears twice in the auth header"}
		}
		key, seen = strings.Trim(strings.TrimSpace(value), `"`), true
	}
	if key == "" {
		return "", &AuthError{"the Sentry auth header has no sentry_key"}
	}
	return key, nil
}

// DSNKey returns the public key of a DSN such as
// https://<key>@host/<project>.
func DSNKey(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || u.User == nil || u.User.Username() == "" {
		return "", &AuthError{"the envelope header's dsn has no key (want https://<key>@host/<project>)"}
	}
	return u.User.Username(), nil
}

// IsAuthError reports whether err is an AuthError.
func IsAuthError(err error) bool {
	var ae *AuthError
	return errors.As(err, &ae)
}
