package ui

import (
	"net/http"
	"time"
)

const (
	flashCookie = "warden_flash"
	maxFlashLen = 500
	// flashTTL keeps a message that was never shown (the browser went
	// elsewhere) from greeting the user days later.
	flashTTL = 5 * time.Minute
)

type flashValue struct {
	Msg    string `json:"m"`
	Expiry int64  `json:"e"`
}

// Flash shows msg once, on the next page the UI renders for this browser:
// call it, then redirect with 303 See Other (post/redirect/get), so that a
// reload does not repeat the action. The message travels in a signed cookie,
// so nobody else can make the UI display text of their choosing.
func (u *UI) Flash(w http.ResponseWriter, r *http.Request, msg string) {
	if len(msg) > maxFlashLen {
		msg = msg[:maxFlashLen] + "…"
	}
	if st := stateFrom(r.Context()); st != nil {
		st.flash = msg // shown at once if this request renders a page
	}
	v, err := u.signer.sign("flash", flashValue{Msg: msg, Expiry: u.now().Add(flashTTL).Unix()})
	if err != nil {
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: flashCookie, Value: v, Path: "/", MaxAge: int(flashTTL / time.Second),
		HttpOnly: true, Secure: isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
}

// takeFlash returns the message to show on this page, if any.
func (u *UI) takeFlash(r *http.Request) string {
	if st := stateFrom(r.Context()); st != nil && st.flash != "" {
		return st.flash
	}
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	var f flashValue
	if !u.signer.verify("flash", c.Value, &f) || !u.now().Before(time.Unix(f.Expiry, 0)) {
		return ""
	}
	return f.Msg
}

func (u *UI) clearFlash(w http.ResponseWriter, r *http.Request) {
	clearCookie(w, r, flashCookie, "/")
}
