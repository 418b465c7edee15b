package email

import (
	"errors"
	"fmt"
	"net/smtp"
	"strings"
)

// chooseAuth prefers PLAIN (one round trip) and falls back to LOGIN, which
// older Exchange and some hosted relays still require.
func (c *Channel) chooseAuth(cl *smtp.Client) (smtp.Auth, error) {
	ok, params := cl.Extension("AUTH")
	if !ok {
		return nil, errors.New("smtp.username is set but the server offers no AUTH")
	}
	mechs := strings.Fields(strings.ToUpper(params))
	has := func(m string) bool {
		for _, x := range mechs {
			if x == m {
				return true
			}
		}
		return false
	}
	switch {
	case has("PLAIN"):
		return smtp.PlainAuth("", c.cfg.Username, c.cfg.Password, c.cfg.Host), nil
	case has("LOGIN"):
		return &loginAuth{user: c.cfg.Username, pass: c.cfg.Password, host: c.cfg.Host}, nil
	}
	return nil, fmt.Errorf("the server offers AUTH %s; Warden speaks PLAIN and LOGIN", params)
}

// loginAuth is the AUTH LOGIN mechanism, which net/smtp lacks. Like
// smtp.PlainAuth it refuses to send the password unencrypted except to
// loopback.
type loginAuth struct {
	user, pass, host string
	step             int
}

func (a *loginAuth) Start(server *smtp.ServerInfo) (string, []byte, error) {
	if !server.TLS && !isLoopback(server.Name) {
		return "", nil, errors.New("refusing AUTH LOGIN over an unencrypted connection")
	}
	if server.Name != a.host {
		return "", nil, errors.New("wrong host name")
	}
	a.step = 0
	return "LOGIN", nil, nil
}

// Next answers the two prompts in order; servers word them differently
// ("Username:", "User Name"), so the order is what counts.
func (a *loginAuth) Next(_ []byte, more bool) ([]byte, error) {
	if !more {
		return nil, nil
	}
	a.step++
	switch a.step {
	case 1:
		return []byte(a.user), nil
	case 2:
		return []byte(a.pass), nil
	}
	return nil, errors.New("unexpected third AUTH LOGIN prompt")
}
