package channeltest

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/textproto"
	"strings"
	"time"
)

// Bounds that keep a misbehaving client from holding a test forever.
const (
	smtpIdle    = 30 * time.Second
	smtpMaxData = 16 << 20
)

var errQuit = errors.New("quit")

// session is one SMTP connection.
type session struct {
	s     *SMTPServer
	conn  net.Conn
	tp    *textproto.Conn
	tls   bool
	hello bool
	user  string
	from  string
	to    []string
}

func (s *SMTPServer) serve(c net.Conn) {
	defer c.Close()
	ss := &session{s: s, conn: c, tp: textproto.NewConn(c), tls: s.opts.ImplicitTLS}
	c.SetDeadline(time.Now().Add(smtpIdle))
	if ss.scripted(StageConnect) {
		return
	}
	if ss.reply(220, "127.0.0.1 ESMTP channeltest") != nil {
		return
	}
	for {
		ss.conn.SetDeadline(time.Now().Add(smtpIdle))
		line, err := ss.tp.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		if err := ss.command(strings.ToUpper(verb), strings.TrimSpace(arg)); err != nil {
			return
		}
	}
}

// scripted plays the next step for stage, if any: it waits, then answers
// with the scripted code. It reports whether it answered, in which case
// the command is not handled; a closing server answers nothing.
func (ss *session) scripted(stage Stage) bool {
	st, ok := ss.s.next(stage)
	if !ok {
		return false
	}
	if !ss.s.sleep(st.delay) {
		return true
	}
	ss.conn.SetDeadline(time.Now().Add(smtpIdle))
	if st.code == 0 {
		return false
	}
	ss.reply(st.code, st.text)
	return true
}

func (ss *session) reply(code int, lines ...string) error {
	for i, l := range lines {
		sep := " "
		if i < len(lines)-1 {
			sep = "-"
		}
		if err := ss.tp.PrintfLine("%d%s%s", code, sep, l); err != nil {
			return err
		}
	}
	return nil
}

func (ss *session) command(verb, arg string) error {
	switch verb {
	case "EHLO", "HELO":
		return ss.ehlo(verb, arg)
	case "STARTTLS":
		return ss.startTLS()
	case "AUTH":
		return ss.auth(arg)
	case "MAIL":
		return ss.mail(arg)
	case "RCPT":
		return ss.rcpt(arg)
	case "DATA":
		return ss.data()
	case "RSET":
		ss.from, ss.to = "", nil
		return ss.reply(250, "2.0.0 OK")
	case "NOOP":
		return ss.reply(250, "2.0.0 OK")
	case "VRFY":
		return ss.reply(252, "2.5.0 Cannot VRFY user")
	case "QUIT":
		ss.reply(221, "2.0.0 Bye")
		return errQuit
	}
	return ss.reply(502, "5.5.2 Command not recognized")
}

func (ss *session) ehlo(verb, arg string) error {
	if ss.scripted(StageEHLO) {
		return nil
	}
	ss.hello, ss.from, ss.to = true, "", nil
	if verb == "HELO" {
		return ss.reply(250, "127.0.0.1")
	}
	lines := []string{"127.0.0.1 Hello " + arg, "SIZE 10485760", "8BITMIME"}
	if !ss.tls && !ss.s.opts.NoSTARTTLS {
		lines = append(lines, "STARTTLS")
	}
	if ss.authOffered() {
		lines = append(lines, "AUTH "+strings.Join(ss.mechanisms(), " "))
	}
	return ss.reply(250, append(lines, "ENHANCEDSTATUSCODES")...)
}

func (ss *session) authOffered() bool {
	return ss.s.opts.Username != "" && (ss.tls || ss.s.opts.AllowInsecureAuth)
}

func (ss *session) mechanisms() []string {
	if m := ss.s.opts.AuthMechanisms; len(m) > 0 {
		return m
	}
	return []string{"PLAIN", "LOGIN"}
}

func (ss *session) offers(mech string) bool {
	for _, m := range ss.mechanisms() {
		if strings.EqualFold(m, mech) {
			return true
		}
	}
	return false
}

func (ss *session) startTLS() error {
	if ss.tls || ss.s.opts.NoSTARTTLS {
		return ss.reply(502, "5.5.1 STARTTLS not available")
	}
	if err := ss.reply(220, "2.0.0 Ready to start TLS"); err != nil {
		return err
	}
	tc := tls.Server(ss.conn, ss.s.tlsConf)
	if err := tc.Handshake(); err != nil {
		return err
	}
	// RFC 3207: forget everything said in clear text, EHLO included.
	ss.conn, ss.tp, ss.tls = tc, textproto.NewConn(tc), true
	ss.hello, ss.user, ss.from, ss.to = false, "", "", nil
	return nil
}

func (ss *session) auth(arg string) error {
	switch {
	case !ss.hello:
		return ss.reply(503, "5.5.1 EHLO first")
	case !ss.authOffered():
		return ss.reply(503, "5.5.1 AUTH not available")
	case ss.user != "":
		return ss.reply(503, "5.5.1 Already authenticated")
	}
	if ss.scripted(StageAUTH) {
		return nil
	}
	mech, initial, _ := strings.Cut(arg, " ")
	if !ss.offers(mech) {
		return ss.reply(504, "5.5.4 Unrecognized authentication type")
	}
	var user, pass string
	var err error
	switch strings.ToUpper(mech) {
	case "PLAIN":
		var resp []byte
		if resp, err = ss.challenge(initial, ""); err == nil {
			parts := strings.Split(string(resp), "\x00")
			if len(parts) != 3 {
				return ss.reply(501, "5.5.2 Malformed AUTH PLAIN")
			}
			user, pass = parts[1], parts[2]
		}
	case "LOGIN":
		var u, p []byte
		if u, err = ss.challenge(initial, "Username:"); err == nil {
			if p, err = ss.challenge("", "Password:"); err == nil {
				user, pass = string(u), string(p)
			}
		}
	default:
		return ss.reply(504, "5.5.4 Unrecognized authentication type")
	}
	if err != nil {
		return ss.reply(501, "5.5.2 "+err.Error())
	}
	if user != ss.s.opts.Username || pass != ss.s.opts.Password {
		return ss.reply(535, "5.7.8 Authentication credentials invalid")
	}
	ss.user = user
	return ss.reply(235, "2.7.0 Authentication successful")
}

// challenge returns the client's decoded answer: initial when the client
// sent one with AUTH, else the next line after a 334 prompt.
func (ss *session) challenge(initial, prompt string) ([]byte, error) {
	if initial == "" {
		if err := ss.reply(334, base64.StdEncoding.EncodeToString([]byte(prompt))); err != nil {
			return nil, err
		}
		line, err := ss.tp.ReadLine()
		if err != nil {
			return nil, err
		}
		if line == "*" {
			return nil, errors.New("AUTH cancelled")
		}
		initial = line
	}
	if initial == "=" {
		return nil, nil
	}
	b, err := base64.StdEncoding.DecodeString(initial)
	if err != nil {
		return nil, errors.New("bad base64")
	}
	return b, nil
}

func (ss *session) mail(arg string) error {
	switch {
	case !ss.hello:
		return ss.reply(503, "5.5.1 EHLO first")
	case ss.s.opts.Username != "" && ss.user == "":
		return ss.reply(530, "5.7.0 Authentication required")
	case ss.from != "":
		return ss.reply(503, "5.5.1 Sender already given")
	}
	addr, ok := path(arg, "FROM:")
	if !ok {
		return ss.reply(501, "5.5.4 Syntax: MAIL FROM:<address>")
	}
	if ss.scripted(StageMAIL) {
		return nil
	}
	ss.from = addr
	return ss.reply(250, "2.1.0 OK")
}

func (ss *session) rcpt(arg string) error {
	if ss.from == "" {
		return ss.reply(503, "5.5.1 MAIL first")
	}
	addr, ok := path(arg, "TO:")
	if !ok || addr == "" {
		return ss.reply(501, "5.5.4 Syntax: RCPT TO:<address>")
	}
	if ss.scripted(StageRCPT) {
		return nil
	}
	ss.to = append(ss.to, addr)
	return ss.reply(250, "2.1.5 OK")
}

// path reads "FROM:<a@b> PARAMS" (prefix case-insensitive) and returns a@b.
func path(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func (ss *session) data() error {
	if len(ss.to) == 0 {
		return ss.reply(503, "5.5.1 RCPT first")
	}
	if ss.scripted(StageDATA) {
		return nil
	}
	if err := ss.reply(354, "Start mail input; end with <CRLF>.<CRLF>"); err != nil {
		return err
	}
	data, err := ss.readData()
	if err != nil {
		return err
	}
	from, to := ss.from, ss.to
	ss.from, ss.to = "", nil
	if ss.scripted(StageMessage) {
		return nil
	}
	if len(data) > smtpMaxData {
		return ss.reply(552, "5.3.4 Message too big")
	}
	ss.s.record(SMTPMessage{At: time.Now(), From: from, To: to, Data: data, TLS: ss.tls, User: ss.user})
	return ss.reply(250, "2.0.0 OK queued")
}

// readData reads raw lines up to the lone ".", keeping CRLF so a test can
// check the client's line ends, and undoing dot-stuffing.
func (ss *session) readData() ([]byte, error) {
	var buf bytes.Buffer
	atStart := true
	for {
		ss.conn.SetDeadline(time.Now().Add(smtpIdle))
		line, err := ss.tp.R.ReadSlice('\n')
		full := errors.Is(err, bufio.ErrBufferFull) // a line longer than the buffer
		if err != nil && !full {
			return nil, err
		}
		if atStart && !full && (string(line) == ".\r\n" || string(line) == ".\n") {
			return buf.Bytes(), nil
		}
		if atStart && len(line) > 0 && line[0] == '.' {
			line = line[1:]
		}
		if buf.Len() <= smtpMaxData {
			buf.Write(line)
		}
		atStart = !full
	}
}
