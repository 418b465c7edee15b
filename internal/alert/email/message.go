package email

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/textproto"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/alert/render"
)

// maxSubject keeps the Subject header well inside the 998-octet line limit
// and readable in a mailbox list.
const maxSubject = 200

// compose builds the message: headers and a multipart/alternative body of
// text/plain then text/html (clients show the last part they can), both
// quoted-printable so every line is short, 7-bit and CRLF-terminated.
func (c *Channel) compose(n *alert.Notification, now time.Time) ([]byte, error) {
	v := render.NewView(n)
	html, err := v.HTML()
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if err := writePart(mw, "text/plain; charset=utf-8", v.Text()); err != nil {
		return nil, err
	}
	if err := writePart(mw, "text/html; charset=utf-8", html); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}

	var m bytes.Buffer
	header := func(name, value string) { fmt.Fprintf(&m, "%s: %s\r\n", name, value) }
	header("From", c.from.String())
	header("To", c.toHeader())
	header("Subject", subject(v.Title))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", c.messageID(n))
	header("MIME-Version", "1.0")
	// RFC 3834: tells autoresponders (out-of-office) not to answer.
	header("Auto-Submitted", "auto-generated")
	if n.Test {
		header("X-Warden-Test", "true")
	}
	header("Content-Type", mime.FormatMediaType("multipart/alternative", map[string]string{"boundary": mw.Boundary()}))
	m.WriteString("\r\n")
	m.Write(body.Bytes())
	return m.Bytes(), nil
}

func writePart(mw *multipart.Writer, contentType, s string) error {
	pw, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {contentType},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(pw)
	if _, err := qw.Write([]byte(s)); err != nil {
		return err
	}
	return qw.Close()
}

// toHeader folds one recipient per line so a long list stays within the
// line limit.
func (c *Channel) toHeader() string {
	parts := make([]string, len(c.to))
	for i, a := range c.to {
		parts[i] = a.String()
	}
	return strings.Join(parts, ",\r\n ")
}

// subject encodes a non-ASCII title as RFC 2047 words, one per folded
// line; an ASCII title goes as it is.
func subject(title string) string {
	if r := []rune(title); len(r) > maxSubject {
		title = string(r[:maxSubject-1]) + "…"
	}
	return strings.ReplaceAll(mime.QEncoding.Encode("utf-8", title), "?= =?", "?=\r\n =?")
}

// messageID is derived from the notification, not random, so a retry of
// the same notification carries the same ID and a mailbox that already
// has it (the server took it but the reply was lost) can drop the copy.
func (c *Channel) messageID(n *alert.Notification) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s", n.Receiver, n.GroupKey, n.Now.UnixNano(), n.Status)
	for _, a := range n.Alerts {
		fmt.Fprintf(h, "\x00%s:%s", a.Fingerprint(), a.StateAt(n.Now))
	}
	domain := "warden.invalid"
	if i := strings.LastIndexByte(c.from.Address, '@'); i >= 0 && i+1 < len(c.from.Address) {
		domain = c.from.Address[i+1:]
	}
	return "<" + hex.EncodeToString(h.Sum(nil)[:16]) + "@" + domain + ">"
}
