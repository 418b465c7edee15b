// Package auth decides who a request is and what it may do: API tokens and
// UI users from the configuration, each with scopes.
package auth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"slices"
)

// Principal is an authenticated caller.
type Principal struct {
	// Name is the token's or the user's name, as audit events record it.
	Name string
	// Kind is "token" or "user".
	Kind   string
	Scopes []string
}

// Has reports whether the principal carries scope.
func (p Principal) Has(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Token is a configured API token.
type Token struct {
	Name   string
	Secret string
	Scopes []string
}

// Tokens checks presented secrets against the configured tokens.
type Tokens struct {
	entries []tokenEntry
}

type tokenEntry struct {
	digest [32]byte
	p      Principal
}

// NewTokens keeps only the SHA-256 of each secret: comparing digests of equal
// length in constant time means neither the length nor the prefix of a
// secret leaks through timing.
func NewTokens(tokens []Token) *Tokens {
	t := &Tokens{}
	for _, tok := range tokens {
		t.entries = append(t.entries, tokenEntry{
			digest: sha256.Sum256([]byte(tok.Secret)),
			p:      Principal{Name: tok.Name, Kind: "token", Scopes: slices.Clone(tok.Scopes)},
		})
	}
	return t
}

// Lookup finds the token whose secret is presented. It compares against
// every token, so the time taken does not say which one matched.
func (t *Tokens) Lookup(secret string) (Principal, bool) {
	d := sha256.Sum256([]byte(secret))
	var found Principal
	ok := 0
	for _, e := range t.entries {
		if subtle.ConstantTimeCompare(d[:], e.digest[:]) == 1 {
			found, ok = e.p, 1
		}
	}
	return found, ok == 1 && secret != ""
}

type ctxKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal of the request, if authenticated.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}
