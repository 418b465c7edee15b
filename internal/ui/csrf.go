package ui

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
)

// csrfFieldName is the form field that carries the CSRF token.
const csrfFieldName = "csrf_token"

// CSRFField returns the hidden form field carrying the session's CSRF token,
// for a part that passes it in its template data rather than calling the
// csrfField template function. It is empty outside a signed-in request.
func CSRFField(r *http.Request) template.HTML {
	st := stateFrom(r.Context())
	if st == nil || st.session == nil {
		return ""
	}
	return hiddenField(st.session.CSRF)
}

func hiddenField(token string) template.HTML {
	return template.HTML(`<input type="hidden" name="` + csrfFieldName + `" value="` + template.HTMLEscapeString(token) + `">`)
}

// checkToken compares the form's CSRF token with want in constant time. A
// cross-site form cannot know the token: it lives in the signed session
// cookie, which other sites can neither read nor forge.
func checkToken(r *http.Request, want string) error {
	got := r.PostFormValue(csrfFieldName)
	if got == "" {
		return errors.New("the form carries no security token")
	}
	if want == "" || subtle.ConstantTimeCompare([]byte(got), []byte(want)) != 1 {
		return errors.New("the form's security token is stale or wrong")
	}
	return nil
}

// checkOrigin refuses requests that a browser says come from another site.
// It is a second line behind the token, and the only one for the sign-in
// form. Sec-Fetch-Site is set by the browser itself; Origin (or, failing
// that, Referer) must name this host. Behind a proxy that rewrites Host the
// original host arrives as X-Forwarded-Host, which a cross-site form cannot
// set. A request with none of these headers is not from a modern browser,
// and the token alone decides.
func checkOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
	default:
		return fmt.Errorf("the browser says the form came from another site (%s)", r.Header.Get("Sec-Fetch-Site"))
	}
	from := r.Header.Get("Origin")
	if from == "" {
		from = r.Header.Get("Referer")
	}
	if from == "" {
		return nil
	}
	u, err := url.Parse(from)
	if err != nil || u.Host == "" {
		return fmt.Errorf("the form came from an unknown origin (%q)", from)
	}
	for _, host := range requestHosts(r) {
		if sameHost(u, host) {
			return nil
		}
	}
	return fmt.Errorf("the form came from %s, not from %s (behind a proxy, pass the original Host or X-Forwarded-Host)", u.Host, r.Host)
}

// requestHosts lists the names this request reached us by.
func requestHosts(r *http.Request) []string {
	hosts := []string{r.Host}
	if fh := r.Header.Get("X-Forwarded-Host"); fh != "" {
		first, _, _ := strings.Cut(fh, ",")
		hosts = append(hosts, strings.TrimSpace(first))
	}
	return hosts
}

// sameHost compares origin's host[:port] with host, ignoring case and the
// scheme's default port.
func sameHost(origin *url.URL, host string) bool {
	return strings.EqualFold(withoutDefaultPort(origin.Host, origin.Scheme), withoutDefaultPort(host, origin.Scheme))
}

func withoutDefaultPort(host, scheme string) string {
	switch {
	case scheme == "http" && strings.HasSuffix(host, ":80"):
		return strings.TrimSuffix(host, ":80")
	case scheme == "https" && strings.HasSuffix(host, ":443"):
		return strings.TrimSuffix(host, ":443")
	}
	return host
}
