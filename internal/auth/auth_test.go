package auth

import (
	"context"
	"testing"
)

func TestTokensLookup(t *testing.T) {
	toks := NewTokens([]Token{
		{Name: "app", Secret: "app-secret-0123456789", Scopes: []string{"ingest"}},
		{Name: "ops", Secret: "ops-secret-0123456789", Scopes: []string{"read", "admin"}},
	})
	p, ok := toks.Lookup("ops-secret-0123456789")
	if !ok || p.Name != "ops" || !p.Has("admin") || p.Has("ingest") || p.Kind != "token" {
		t.Fatalf("lookup ops = %+v, %v", p, ok)
	}
	for _, bad := range []string{"", "ops-secret-012345678", "ops-secret-0123456789 ", "APP-SECRET-0123456789"} {
		if _, ok := toks.Lookup(bad); ok {
			t.Errorf("Lookup(%q) matched", bad)
		}
	}
	if _, ok := NewTokens(nil).Lookup(""); ok {
		t.Error("empty secret matched an empty token list")
	}
	ctx := WithPrincipal(context.Background(), p)
	if got, ok := FromContext(ctx); !ok || got.Name != "ops" {
		t.Fatalf("FromContext = %+v, %v", got, ok)
	}
}
