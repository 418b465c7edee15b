package app

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/config"
	"github.com/wardenhq/warden/internal/httpapi"
)

// tokenWithout names, for each scope, a token that has every scope but it.
var tokenWithout = map[string]string{}

// uiUser is a web UI user whose password is "correct horse" (the browser
// tests sign in with it); no scopes means the UI's default ones.
func uiUser(name string, scopes ...string) config.User {
	hash, _ := bcrypt.GenerateFromPassword([]byte("correct horse"), bcrypt.MinCost)
	return config.User{Name: name, PasswordHash: config.Secret(hash), Scopes: scopes}
}

func testConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg := config.Default()
	cfg.DataDir = t.TempDir()
	cfg.Listen = "127.0.0.1:0"
	cfg.Server.ShutdownGrace = config.Duration(5 * time.Second)
	for _, missing := range config.KnownScopes {
		var scopes []string
		for _, s := range config.KnownScopes {
			if s != missing {
				scopes = append(scopes, s)
			}
		}
		secret := "without-" + missing + "-0123456789abcdef"
		tokenWithout[missing] = secret
		cfg.Tokens = append(cfg.Tokens, config.Token{Name: "no-" + missing, Token: config.Secret(secret), Scopes: scopes})
	}
	return cfg
}

func startTestApp(t *testing.T, cfg *config.Config) *App {
	t.Helper()
	ctx := context.Background()
	a, err := New(ctx, cfg, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := a.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	return a
}

// publicRoutes are the only routes anyone may call without credentials. A
// new public route must be added here on purpose.
var publicRoutes = map[string]bool{
	"GET /healthz": true, "GET /readyz": true, "GET /metrics": true,
	"GET /ui/static/": true,
	// The public status page (DESIGN.md).
	"GET /status": true, "GET /status/badge/{file}": true,
}

// Every registered route other than the public ones answers 401 without a
// token and 403 with a token that lacks its scope; self-authenticating
// routes refuse anonymous callers too.
func TestEveryRouteRequiresItsScope(t *testing.T) {
	a := startTestApp(t, testConfig(t))
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	routes := a.API.Routes()
	if len(routes) < 3 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	for _, rt := range routes {
		method, path := splitPattern(rt.Pattern)
		url := a.URL() + path
		switch rt.Access {
		case httpapi.Public:
			if !publicRoutes[rt.Pattern] {
				t.Errorf("%s is public but not in the allowlist of public routes", rt.Pattern)
			}
		case httpapi.Scoped:
			if code := do(t, client, method, url, ""); code != http.StatusUnauthorized {
				t.Errorf("%s without a token: %d, want 401", rt.Pattern, code)
			}
			if code := do(t, client, method, url, "not-a-valid-token-at-all"); code != http.StatusUnauthorized {
				t.Errorf("%s with an unknown token: %d, want 401", rt.Pattern, code)
			}
			if code := do(t, client, method, url, tokenWithout[rt.Scope]); code != http.StatusForbidden {
				t.Errorf("%s with a token lacking %q: %d, want 403", rt.Pattern, rt.Scope, code)
			}
		case httpapi.SelfAuth:
			code := do(t, client, method, url, "")
			ok := code == http.StatusUnauthorized || code == http.StatusForbidden ||
				(strings.HasPrefix(path, "/ui/") || path == "/") && code == http.StatusSeeOther
			if path == "/ui/login" && method == http.MethodGet {
				ok = code == http.StatusOK // the sign-in form itself
			}
			if !ok {
				t.Errorf("%s without credentials: %d, want 401, 403 or a redirect to sign-in", rt.Pattern, code)
			}
		}
	}
}

// splitPattern turns "GET /api/v1/x/{id}" into a method and a concrete path.
func splitPattern(p string) (string, string) {
	method, path, ok := strings.Cut(p, " ")
	if !ok {
		method, path = http.MethodGet, p
	}
	path = strings.TrimSuffix(path, "{$}")
	var b strings.Builder
	for {
		i := strings.IndexByte(path, '{')
		if i < 0 {
			b.WriteString(path)
			break
		}
		j := strings.IndexByte(path[i:], '}')
		b.WriteString(path[:i])
		b.WriteString("x1")
		path = path[i+j+1:]
	}
	return method, b.String()
}

func do(t *testing.T, client *http.Client, method, url, token string) int {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestHealthReadyMetrics(t *testing.T) {
	a := startTestApp(t, testConfig(t))
	for path, want := range map[string]string{
		"/healthz": `"status":"ok"`,
		"/readyz":  `"status":"ready"`,
		"/metrics": "warden_build_info",
	} {
		resp, err := http.Get(a.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
		if resp.Header.Get("X-Request-ID") == "" {
			t.Errorf("%s: no X-Request-ID on the response", path)
		}
	}
	// /readyz turns 503 when the database is gone.
	a.DB.Close()
	resp, err := http.Get(a.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "database") {
		t.Errorf("/readyz with the database closed: %d %s", resp.StatusCode, body)
	}
}
