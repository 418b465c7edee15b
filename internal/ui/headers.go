package ui

import "net/http"

// contentSecurityPolicy allows nothing but this origin's own files: no
// inline script and no style attributes, so that text an attacker slips
// into a log line or an error message cannot run even if escaping failed
// somewhere. Images may be data: URLs (inline icons).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// secure sets the security headers of every UI response. Pages show
// operational data, so they must not be kept in shared or back-button caches
// after sign-out (assets set their own Cache-Control).
func (u *UI) secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}
