package ui

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/config"
)

func TestSignerRoundTrip(t *testing.T) {
	s := signer{key: bytes.Repeat([]byte{1}, keySize)}
	in := session{Name: "ada", Kind: "user", Scopes: []string{"read"}, Expiry: 42, CSRF: "c"}
	v, err := s.sign("session", in)
	if err != nil {
		t.Fatal(err)
	}
	var out session
	if !s.verify("session", v, &out) || out.Name != "ada" || out.Expiry != 42 || out.CSRF != "c" {
		t.Fatalf("verify = %+v", out)
	}

	payload, mac, _ := strings.Cut(v, ".")
	flip := func(s string, i int) string {
		b := []byte(s)
		b[i] ^= 0x01
		return string(b)
	}
	other := signer{key: bytes.Repeat([]byte{2}, keySize)}
	for name, check := range map[string]func() bool{
		"payload changed": func() bool { return s.verify("session", flip(payload, 3)+"."+mac, &session{}) },
		"mac changed":     func() bool { return s.verify("session", payload+"."+flip(mac, 3), &session{}) },
		"no mac":          func() bool { return s.verify("session", payload, &session{}) },
		"other purpose":   func() bool { return s.verify("flash", v, &session{}) },
		"other key":       func() bool { return other.verify("session", v, &session{}) },
		"too long":        func() bool { return s.verify("session", v+strings.Repeat("A", maxCookieLen), &session{}) },
	} {
		if check() {
			t.Errorf("%s: verified", name)
		}
	}
}

func TestExpiredAndTamperedSessionsAreSignedOut(t *testing.T) {
	e := newEnv(t, nil)
	c, _ := e.signIn("ada")
	if resp := e.do(req{path: "/ui/", cookies: []*http.Cookie{c}}); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh session: %d", resp.StatusCode)
	}

	tampered := *c
	tampered.Value = strings.Replace(c.Value, ".", "x.", 1)
	resp := e.do(req{path: "/ui/", cookies: []*http.Cookie{&tampered}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/ui/login") {
		t.Fatalf("tampered: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if gone := cookieNamed(resp, sessionCookie); gone == nil || gone.MaxAge >= 0 {
		t.Errorf("tampered cookie not cleared: %v", gone)
	}

	// A forged session with more scopes, signed with another key.
	forged, _ := signer{key: bytes.Repeat([]byte{9}, keySize)}.sign("session", session{
		Name: "ada", Kind: "user", Scopes: []string{"admin"}, Expiry: e.clock.Now().Add(time.Hour).Unix(), CSRF: "x"})
	if resp := e.do(req{path: "/ui/", cookies: []*http.Cookie{{Name: sessionCookie, Value: forged}}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("forged: %d", resp.StatusCode)
	}

	e.clock.Add(DefaultSessionTTL)
	if resp := e.do(req{path: "/ui/", cookies: []*http.Cookie{c}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("expired: %d", resp.StatusCode)
	}
}

func TestSessionEndsWhenUserChanges(t *testing.T) {
	e := newEnv(t, nil)
	c, _ := e.signIn("ada")
	for name, users := range map[string][]config.User{
		"removed":          {{Name: "reader", PasswordHash: hash(t, testPassword)}},
		"password changed": {{Name: "ada", PasswordHash: hash(t, "new password")}},
	} {
		opts := testOptions(t, e.clock, e.key)
		opts.Users = users
		u, err := New(opts)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := http.NewRequest(http.MethodGet, "/ui/", nil)
		r.AddCookie(c)
		if _, ok := u.readSession(r); ok {
			t.Errorf("%s: session still valid", name)
		}
	}
	// Scopes follow the configuration without signing out.
	opts := testOptions(t, e.clock, e.key)
	opts.Users[0].Scopes = []string{"audit"}
	opts.Users[0].PasswordHash = e.ui.users["ada"].PasswordHash
	u, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := http.NewRequest(http.MethodGet, "/ui/", nil)
	r.AddCookie(c)
	if s, ok := u.readSession(r); !ok || len(s.Scopes) != 1 || s.Scopes[0] != "audit" {
		t.Errorf("scopes after change: %v %v", s.Scopes, ok)
	}
}

func TestNewRejectsShortKey(t *testing.T) {
	if _, err := New(Options{SessionKey: []byte("short")}); err == nil {
		t.Fatal("New accepted a 5-byte key")
	}
}
