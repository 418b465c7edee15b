// Package uitest drives Warden's web UI in headless Chromium for the browser
// tests of every part: Browser starts one, SignIn signs in through the real
// form. It is a normal package (not a _test file) so that other packages'
// tests can import it; only tests should.
package uitest

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds a whole browser test: a page that never loads fails the
// test instead of hanging it.
const Timeout = 60 * time.Second

// chromiumPaths are tried in order; CHROMIUM_PATH, when set, comes first.
var chromiumPaths = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// Browser starts headless Chromium for t and returns a context whose actions
// run in one tab; t's cleanup closes the browser. Without Chromium the test
// is skipped, except when the CI environment variable is set: a skipped
// browser test in CI would hide a missing install, so there it fails.
func Browser(t testing.TB) context.Context {
	t.Helper()
	path, err := findChromium()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("uitest: %v; CI is set, so the browser test must run (apt-get install chromium)", err)
		}
		t.Skipf("uitest: %v; install it (apt-get install chromium) to run the browser tests", err)
	}
	// t.TempDir is removed after the cleanups registered later, so the
	// browser has exited before its profile is deleted.
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // containers and CI runners lack the user namespaces the sandbox needs
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	ctx, cancelTimeout := context.WithTimeout(context.Background(), Timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx, chromedp.WithLogf(t.Logf))
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(browserCtx); err != nil { // start it now, to fail here if it cannot
		t.Fatalf("uitest: start %s: %v", path, err)
	}
	return browserCtx
}

func findChromium() (string, error) {
	candidates := chromiumPaths
	if p := os.Getenv("CHROMIUM_PATH"); p != "" {
		candidates = append([]string{p}, candidates...)
	}
	for _, c := range candidates {
		if p, err := exec.LookPath(c); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("no Chromium found (tried %s)", strings.Join(candidates, ", "))
}

// SignIn opens the sign-in form at baseURL, signs in with user and password,
// and waits for a signed-in page. It fails t with the form's message when
// the sign-in is refused.
func SignIn(t testing.TB, ctx context.Context, baseURL, user, password string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(strings.TrimSuffix(baseURL, "/")+"/ui/login"),
		chromedp.WaitVisible(chromedp.ID("name")),
		chromedp.SendKeys(chromedp.ID("name"), user),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Submit(chromedp.ID("password")),
		// Either the layout's sign-out form or the sign-in error.
		chromedp.WaitVisible(chromedp.CSS("form.signout, .alert-error")),
	)
	if err != nil {
		t.Fatalf("uitest: sign in as %s: %v", user, err)
	}
	refused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector(".alert-error") || {textContent: ""}).textContent.trim()`))
	if err != nil {
		t.Fatalf("uitest: sign in as %s: %v", user, err)
	}
	if refused != "" {
		t.Fatalf("uitest: sign in as %s refused: %s", user, refused)
	}
}

// Screenshot saves a full-page screenshot to WARDEN_SCREENSHOT_DIR when it
// is set (for a person to look at), else to the test's temporary directory,
// and logs where it went.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	dir := os.Getenv("WARDEN_SCREENSHOT_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	return path
}
