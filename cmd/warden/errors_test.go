package main

import (
	"strings"
	"testing"
)

func TestErrorsDSN(t *testing.T) {
	path := writeFile(t, "warden.yaml", `listen: 127.0.0.1:9191
errors:
  projects:
    - { id: 3, name: shop, key: "${SHOP_KEY}" }
`)
	t.Setenv("SHOP_KEY", "0123456789abcdef0123456789abcdef")
	code, out, errOut := runCLI(t, nil, "errors", "dsn", "--config", path)
	if code != 0 || strings.TrimSpace(out) != "shop\thttp://0123456789abcdef0123456789abcdef@127.0.0.1:9191/3" {
		t.Fatalf("code %d\nstdout %q\nstderr %s", code, out, errOut)
	}
	t.Setenv("SHOP_KEY", "short")
	code, _, errOut = runCLI(t, nil, "errors", "dsn", "--config", path)
	if code == 0 || !strings.Contains(errOut, "errors.projects[0].key") {
		t.Fatalf("bad key accepted: %d %s", code, errOut)
	}
}
