package ui

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

func (u *UI) loadStatic() error {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return fmt.Errorf("ui: static assets: %w", err)
	}
	// One version for all assets, from their content: a new build with a
	// changed stylesheet gets a new URL, so browsers may cache forever.
	h := sha256.New()
	err = fs.WalkDir(sub, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, path)
		h.Write([]byte(path))
		h.Write(b)
		return err
	})
	if err != nil {
		return fmt.Errorf("ui: static assets: %w", err)
	}
	u.static, u.staticVersion = sub, hex.EncodeToString(h.Sum(nil))[:12]
	return nil
}

// staticURL is the versioned URL of an asset.
func (u *UI) staticURL(name string) string {
	return "/ui/static/" + name + "?v=" + u.staticVersion
}

// staticHandler serves the embedded assets. They hold nothing secret (the
// sign-in page needs them before anyone is signed in), so they are public.
func (u *UI) staticHandler() http.Handler {
	files := http.StripPrefix("/ui/static/", http.FileServerFS(u.static))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		if r.URL.Query().Get("v") == u.staticVersion {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=300")
		}
		files.ServeHTTP(w, r)
	})
}
