// Package gateway is Warden's WAF reverse proxy: it stands in front of an
// HTTP app, gives every request an ID, applies per-route body and rate
// limits, inspects requests with Coraza and the OWASP Core Rule Set, and
// records one access record per request and a WAF event per request that
// matched a rule.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"time"

	"github.com/corazawaf/coraza/v3"

	"github.com/wardenhq/warden/internal/alert"
	"github.com/wardenhq/warden/internal/clock"
	"github.com/wardenhq/warden/internal/config"
)

// Options configures a Gateway.
type Options struct {
	Config config.Gateway
	// Sink receives access records and WAF events (default: discarded).
	Sink    Sink
	Metrics *Metrics
	Clock   clock.Clock
	Logger  *slog.Logger
	// WAF is a compiled WAF to use instead of building one from Config
	// (tests share one; compiling takes about a second).
	WAF        coraza.WAF
	WAFOptions WAFOptions
	// Transport reaches the upstream (default: one with Config's timeouts).
	Transport http.RoundTripper
	// Alerts receives the WAF-spike alert (default: discarded).
	Alerts      alert.Raiser
	Environment string
}

// Gateway is an http.Handler that proxies to the upstream.
type Gateway struct {
	cfg     config.Gateway
	mode    string
	waf     coraza.WAF
	routes  *Routes
	trusted TrustedProxies
	proxy   *httputil.ReverseProxy
	sink    Sink
	metrics *Metrics
	clk     clock.Clock
	logger  *slog.Logger
	spike   *spikeDetector
}

// New builds a gateway; with the WAF on, it compiles the rule set.
func New(opts Options) (*Gateway, error) {
	cfg := opts.Config
	up, err := url.Parse(cfg.Upstream)
	if err != nil || up.Host == "" {
		return nil, fmt.Errorf("gateway.upstream: %q is not a URL", cfg.Upstream)
	}
	g := &Gateway{cfg: cfg, mode: cfg.WAF.Mode, sink: opts.Sink, metrics: opts.Metrics, clk: opts.Clock, logger: opts.Logger}
	if g.sink == nil {
		g.sink = Tee(nil)
	}
	if g.clk == nil {
		g.clk = clock.Real{}
	}
	if g.logger == nil {
		g.logger = slog.New(slog.DiscardHandler)
	}
	for i, p := range cfg.TrustedProxies {
		pfx, err := config.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("gateway.trusted_proxies[%d]: %q is not an IP or CIDR", i, p)
		}
		g.trusted = append(g.trusted, pfx)
	}
	g.routes = NewRoutes(cfg, LimiterOptions{Clock: g.clk})
	if g.mode != config.WAFOff {
		g.waf = opts.WAF
		if g.waf == nil {
			wo := opts.WAFOptions
			wo.MaxBody = max(wo.MaxBody, g.routes.MaxBody())
			if g.waf, err = NewWAF(cfg.WAF, wo); err != nil {
				return nil, err
			}
		}
	}
	raiser := opts.Alerts
	if raiser == nil {
		raiser = alert.Discard{}
	}
	g.spike = newSpikeDetector(cfg.BlockAlert, raiser, g.clk, opts.Environment, g.logger)
	transport := opts.Transport
	if transport == nil {
		transport = newTransport(cfg)
	}
	g.proxy = &httputil.ReverseProxy{
		Rewrite:        g.rewrite(up),
		Transport:      transport,
		ModifyResponse: g.modifyResponse,
		ErrorHandler:   g.proxyError,
		ErrorLog:       slog.NewLogLogger(g.logger.Handler(), slog.LevelDebug),
		BufferPool:     bufferPool{},
	}
	return g, nil
}

func newTransport(cfg config.Gateway) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.DialContext = (&net.Dialer{Timeout: cfg.DialTimeout.Std(), KeepAlive: 30 * time.Second}).DialContext
	t.ResponseHeaderTimeout = cfg.UpstreamTimeout.Std()
	t.MaxIdleConns = 512
	t.MaxIdleConnsPerHost = 256
	t.ForceAttemptHTTP2 = false
	return t
}

// Close stops the gateway's background work.
func (g *Gateway) Close() { g.spike.stop() }

// stateKey finds the request's state from the proxy's callbacks.
type stateKey struct{}

// reqState is what one request's stages share.
type reqState struct {
	rec           AccessRecord
	start         time.Time
	upstreamStart time.Time
	tx            wafTx
	blocked       bool
}

func stateOf(r *http.Request) *reqState {
	st, _ := r.Context().Value(stateKey{}).(*reqState)
	return st
}

// ServeHTTP runs one request through the stages: request ID, route, rate
// limit, body limit, WAF, proxy; then records it.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := g.clk.Now()
	id := requestID(r.Header.Get(HeaderRequestID))
	w.Header().Set(HeaderRequestID, id)
	client := g.trusted.ClientIP(r.RemoteAddr, r.Header.Values("X-Forwarded-For"))
	route := g.routes.Match(r.URL.Path)
	st := &reqState{start: start, rec: AccessRecord{
		Time: start.UTC(), RequestID: id, ClientIP: client.String(), Method: r.Method, Path: r.URL.Path,
		Host: r.Host, Route: route.Name, WAF: WAFOutcomeOff, UserAgent: r.UserAgent(),
	}}
	rw := &responseRecorder{ResponseWriter: w}
	body := &countingBody{ReadCloser: r.Body}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = body
	}
	defer func() { g.finish(r, st, rw, body) }()

	if route.limiter != nil {
		if ok, wait := route.limiter.Allow(client); !ok {
			secs := int((wait + time.Second - 1) / time.Second)
			rw.Header().Set("Retry-After", fmt.Sprint(max(secs, 1)))
			g.answer(rw, st, http.StatusTooManyRequests, "rate_limited", "too many requests from this address; retry after the time in Retry-After")
			return
		}
	}
	if r.ContentLength > route.MaxBody {
		g.answer(rw, st, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is larger than %d bytes, the limit for %s", route.MaxBody, route.Name))
		return
	}
	// A body of unknown length, or one the WAF must read, is read up to the
	// limit first, so that the upstream sees nothing of a body that is too
	// large; one of known length with the WAF off streams.
	needWAFBody := g.waf != nil && r.ContentLength != 0
	st.tx.transferEncoding = r.TransferEncoding
	if r.Body != nil && r.Body != http.NoBody && (r.ContentLength < 0 || needWAFBody) {
		buf, tooLarge, err := readLimited(r.Body, route.MaxBody)
		if tooLarge {
			g.answer(rw, st, http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("the request body is larger than %d bytes, the limit for %s", route.MaxBody, route.Name))
			return
		}
		if err != nil {
			g.answer(rw, st, http.StatusBadRequest, "bad_body", "the request body could not be read")
			return
		}
		r.Body = &bufferedBody{buf: buf}
		r.ContentLength = int64(len(buf))
		r.TransferEncoding = nil
		if g.waf != nil {
			st.tx.body = buf
		}
	}
	if g.waf != nil {
		st.rec.WAF = WAFOutcomePass
		st.tx.tx = g.waf.NewTransactionWithID(id)
		if it := st.tx.processRequest(r, client.String()); it != nil && g.mode == config.WAFBlock {
			st.blocked = true
			g.answer(rw, st, http.StatusForbidden, "waf", "the request was blocked by the web application firewall; quote the request_id when you report it")
			return
		}
	}
	// Set after the WAF has seen the request as the client sent it.
	r.Header.Set(HeaderRequestID, id)
	ctx := context.WithValue(r.Context(), stateKey{}, st)
	g.proxy.ServeHTTP(rw, r.WithContext(ctx))
}

// answer writes the gateway's own JSON answer; it names the request ID
// and the problem, never WAF rule details.
func (g *Gateway) answer(w http.ResponseWriter, st *reqState, status int, reason, msg string) {
	st.rec.Reason = reason
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	b, _ := json.Marshal(struct {
		Error     string `json:"error"`
		RequestID string `json:"request_id"`
	}{msg, st.rec.RequestID})
	_, _ = w.Write(append(b, '\n'))
}

// errBlockedResponse stops a response the WAF blocked in phase 3 or 4.
var errBlockedResponse = errors.New("response blocked by the WAF")

func (g *Gateway) rewrite(up *url.URL) func(*httputil.ProxyRequest) {
	return func(pr *httputil.ProxyRequest) {
		pr.SetURL(up)
		// Rewrite has removed the client's X-Forwarded-* headers; a trusted
		// proxy's are kept and extended.
		if g.trusted.Contains(peerAddr(pr.In.RemoteAddr)) {
			for _, h := range []string{"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"} {
				if v := pr.In.Header.Values(h); len(v) > 0 {
					pr.Out.Header[h] = v
				}
			}
			proto, host := pr.Out.Header.Get("X-Forwarded-Proto"), pr.Out.Header.Get("X-Forwarded-Host")
			pr.SetXForwarded()
			if proto != "" {
				pr.Out.Header.Set("X-Forwarded-Proto", proto)
			}
			if host != "" {
				pr.Out.Header.Set("X-Forwarded-Host", host)
			}
		} else {
			pr.SetXForwarded()
		}
		if st := stateOf(pr.In); st != nil {
			st.upstreamStart = g.clk.Now()
		}
	}
}

func (g *Gateway) modifyResponse(resp *http.Response) error {
	st := stateOf(resp.Request)
	if st == nil {
		return nil
	}
	st.rec.UpstreamMS = ms(g.clk.Now().Sub(st.upstreamStart))
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// The proxy hijacks the connection and writes the 101 itself.
		st.rec.Status = resp.StatusCode
		return nil
	}
	if st.tx.tx == nil {
		return nil
	}
	it, err := st.tx.processResponse(resp)
	if err != nil {
		return err
	}
	if it != nil && g.mode == config.WAFBlock {
		resp.Body.Close()
		st.blocked = true
		return errBlockedResponse
	}
	return nil
}

func (g *Gateway) proxyError(w http.ResponseWriter, r *http.Request, err error) {
	st := stateOf(r)
	switch {
	case errors.Is(err, errBlockedResponse):
		g.answer(w, st, http.StatusForbidden, "waf", "the response was blocked by the web application firewall; quote the request_id when you report it")
	case errors.Is(r.Context().Err(), context.Canceled):
		st.rec.Reason = "client_gone"
		st.rec.Status = 499 // nobody is left to answer
	case isTimeout(err):
		g.logger.Warn("upstream timeout", "request_id", st.rec.RequestID, "error", err)
		g.answer(w, st, http.StatusGatewayTimeout, "upstream_timeout", "the upstream did not answer in time")
	default:
		g.logger.Warn("upstream error", "request_id", st.rec.RequestID, "error", err)
		g.answer(w, st, http.StatusBadGateway, "upstream_error", "the upstream could not be reached")
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// finish runs the WAF's logging phase and writes the records.
func (g *Gateway) finish(r *http.Request, st *reqState, rw *responseRecorder, body *countingBody) {
	now := g.clk.Now()
	rec := &st.rec
	if rec.Status == 0 {
		rec.Status = rw.status()
	}
	rec.DurationMS = ms(now.Sub(st.start))
	rec.BytesIn = body.n
	rec.BytesOut = rw.n
	if tx := st.tx.tx; tx != nil {
		ev := g.wafEvent(st)
		tx.ProcessLogging()
		_ = tx.Close()
		if ev != nil {
			rec.WAF = WAFOutcomeDetected
			if st.blocked {
				rec.WAF = WAFOutcomeBlocked
			}
			g.sink.WAFEvent(r.Context(), *ev)
		}
	}
	if st.blocked {
		g.spike.blocked(now)
	}
	g.metrics.observe(rec)
	g.sink.Access(r.Context(), *rec)
}

func (g *Gateway) wafEvent(st *reqState) *Event {
	ids, rules := eventRules(st.tx.tx)
	if len(rules) == 0 && !st.blocked {
		return nil
	}
	ev := &Event{
		Time: st.rec.Time, RequestID: st.rec.RequestID, ClientIP: st.rec.ClientIP, Method: st.rec.Method,
		Path: st.rec.Path, Route: st.rec.Route, Mode: g.mode, Action: WAFOutcomeDetected,
		AnomalyScore: anomalyScore(st.tx.tx), RuleIDs: ids, Rules: rules,
	}
	if st.blocked {
		ev.Action = WAFOutcomeBlocked
		if it := st.tx.tx.Interruption(); it != nil {
			ev.BlockedByRule = it.RuleID
		}
	}
	g.metrics.wafEvent(ev)
	return ev
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
