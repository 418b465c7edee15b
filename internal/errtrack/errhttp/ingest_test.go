package errhttp

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"

	"github.com/wardenhq/warden/internal/errtrack"
)

const simpleEvent = `{"event_id":"%s","message":"order failed","level":"error"}`

func eventID(i int) string { return fmt.Sprintf("%032x", i) }

func TestIngestAuth(t *testing.T) {
	s := sqliteServer(t)
	body := envelopeOf(fmt.Sprintf(simpleEvent, eventID(1)))
	withDSN := append([]byte(`{"dsn":"http://`+testKey+`@127.0.0.1/7"}`+"\n"), body[bytes.IndexByte(body, '\n')+1:]...)
	for _, tc := range []struct {
		name    string
		path    string
		body    []byte
		headers map[string]string
		want    int
	}{
		{"X-Sentry-Auth", "/api/7/envelope/", body, auth7(), 200},
		{"Authorization: Sentry", "/api/7/envelope/", body, map[string]string{"Authorization": "Sentry sentry_key=" + testKey}, 200},
		{"query", "/api/7/envelope/?sentry_version=7&sentry_key=" + testKey, body, nil, 200},
		{"envelope dsn", "/api/7/envelope/", withDSN, nil, 200},
		{"missing", "/api/7/envelope/", body, nil, 401},
		{"repeated", "/api/7/envelope/?sentry_key=" + testKey, body, auth7(), 401},
		{"unknown key", "/api/7/envelope/?sentry_key=ffffffffffffffffffffffffffffffff", body, nil, 403},
		{"other project's key", "/api/7/envelope/?sentry_key=" + otherKey, body, nil, 403},
		{"store with query key", "/api/7/store/?sentry_key=" + testKey, []byte(fmt.Sprintf(simpleEvent, eventID(2))), nil, 200},
		{"store without key", "/api/7/store/", []byte(fmt.Sprintf(simpleEvent, eventID(3))), nil, 401},
		{"bad project id", "/api/x/envelope/?sentry_key=" + testKey, body, nil, 404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, m := post(t, s.URL+tc.path, tc.body, tc.headers)
			if resp.StatusCode != tc.want {
				t.Fatalf("status %d (%v), want %d", resp.StatusCode, m, tc.want)
			}
			if tc.want == 200 && m["id"] == "" {
				t.Fatalf("no id in %v", m)
			}
			if tc.want != 200 && (m["error"] == nil || resp.Header.Get("X-Sentry-Error") == "") {
				t.Fatalf("error not explained: %v %v", m, resp.Header)
			}
		})
	}
}

func compress(t *testing.T, coding string, data []byte) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w = gzip.NewWriter(&buf)
	case "zlib":
		w = zlib.NewWriter(&buf)
	case "raw":
		w, _ = flate.NewWriter(&buf, 5)
	case "br":
		w = brotli.NewWriter(&buf)
	case "zstd":
		w, _ = zstd.NewWriter(&buf)
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestIngestEncodings(t *testing.T) {
	s := sqliteServer(t)
	for i, tc := range []struct{ header, coding string }{
		{"gzip", "gzip"}, {"deflate", "zlib"}, {"deflate", "raw"}, {"br", "br"}, {"zstd", "zstd"},
	} {
		t.Run(tc.coding, func(t *testing.T) {
			id := eventID(100 + i)
			body := compress(t, tc.coding, envelopeOf(fmt.Sprintf(simpleEvent, id)))
			resp, m := post(t, s.URL+"/api/7/envelope/", body, map[string]string{"X-Sentry-Auth": auth7()["X-Sentry-Auth"], "Content-Encoding": tc.header})
			if resp.StatusCode != 200 || m["id"] != id {
				t.Fatalf("status %d %v", resp.StatusCode, m)
			}
		})
	}
	t.Run("chunked without content type", func(t *testing.T) {
		id := eventID(200)
		// An io.Reader of unknown length makes the client send chunked.
		req, _ := http.NewRequest("POST", s.URL+"/api/7/envelope/?sentry_key="+testKey, io.MultiReader(strings.NewReader(string(envelopeOf(fmt.Sprintf(simpleEvent, id))))))
		resp, m := do(t, req)
		if resp.StatusCode != 200 || m["id"] != id {
			t.Fatalf("status %d %v", resp.StatusCode, m)
		}
	})
	t.Run("bomb", func(t *testing.T) {
		bomb := compress(t, "gzip", append(envelopeOf(), make([]byte, 4<<20)...))
		resp, m := post(t, s.URL+"/api/7/envelope/", bomb, map[string]string{"X-Sentry-Auth": auth7()["X-Sentry-Auth"], "Content-Encoding": "gzip"})
		if resp.StatusCode != 413 {
			t.Fatalf("status %d %v", resp.StatusCode, m)
		}
	})
	t.Run("bad gzip", func(t *testing.T) {
		resp, _ := post(t, s.URL+"/api/7/envelope/", []byte("plain"), map[string]string{"X-Sentry-Auth": auth7()["X-Sentry-Auth"], "Content-Encoding": "gzip"})
		if resp.StatusCode != 400 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("unknown encoding", func(t *testing.T) {
		resp, _ := post(t, s.URL+"/api/7/envelope/", []byte("x"), map[string]string{"X-Sentry-Auth": auth7()["X-Sentry-Auth"], "Content-Encoding": "lzma"})
		if resp.StatusCode != 415 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
	t.Run("bad envelope and bad event", func(t *testing.T) {
		for _, body := range []string{"not json\n", "{}\n{\"type\":\"event\"}\n[1,2]"} {
			resp, m := post(t, s.URL+"/api/7/envelope/", []byte(body), auth7())
			if resp.StatusCode != 400 || m["error"] == nil {
				t.Fatalf("%q: status %d %v", body, resp.StatusCode, m)
			}
		}
	})
}

func TestSessionsAndUnknownItemsAreSkipped(t *testing.T) {
	s := sqliteServer(t)
	body := `{"sent_at":"2026-11-30T12:00:00Z"}` + "\n" + `{"type":"session"}` + "\n" + `{"sid":"x","status":"ok"}` + "\n" +
		`{"type":"client_report"}` + "\n{}\n"
	resp, _ := post(t, s.URL+"/api/7/envelope/", []byte(body), auth7())
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	issues, _ := s.svc.Store().ListIssues(t.Context(), errtrack.IssueFilter{})
	if len(issues) != 0 {
		t.Fatalf("a session made issues: %+v", issues)
	}
}

func TestRateLimit(t *testing.T) {
	s := newServer(t, sqliteDB(t), errtrack.Project{ID: 7, Name: "app", Key: testKey, RatePerSecond: 0.001, Burst: 2})
	var codes []int
	for i := 0; i < 4; i++ {
		resp, _ := post(t, s.URL+"/api/7/envelope/", envelopeOf(fmt.Sprintf(simpleEvent, eventID(300+i))), auth7())
		codes = append(codes, resp.StatusCode)
		if resp.StatusCode == 429 {
			if resp.Header.Get("Retry-After") == "" || !strings.HasSuffix(resp.Header.Get("X-Sentry-Rate-Limits"), "::project") {
				t.Fatalf("429 without Retry-After or X-Sentry-Rate-Limits: %v", resp.Header)
			}
		}
	}
	if fmt.Sprint(codes) != "[200 200 429 429]" {
		t.Fatalf("codes %v", codes)
	}
}

func TestScrubbedBeforeStorage(t *testing.T) {
	s := sqliteServer(t)
	id := eventID(400)
	ev := `{"event_id":"` + id + `","message":"card 4111 1111 1111 1111 declined","extra":{"password":"hunter2"},"request":{"headers":{"Authorization":"Bearer abcdef0123456789"}}}`
	if resp, _ := post(t, s.URL+"/api/7/envelope/", envelopeOf(ev), auth7()); resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	var payload []byte
	if err := s.db.QueryRowContext(t.Context(), "SELECT payload FROM err_events WHERE event_id = ?", id).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	// The column holds the payload compressed: look at what it stores.
	payload, err := errtrack.DecodePayload(payload)
	if err != nil || !json.Valid(payload) || !bytes.Contains(payload, []byte(id)) {
		t.Fatalf("stored payload %q: %v", payload, err)
	}
	for _, secret := range []string{"4111", "hunter2", "abcdef0123456789"} {
		if bytes.Contains(payload, []byte(secret)) {
			t.Errorf("stored payload keeps %q: %s", secret, payload)
		}
	}
	var issues []errtrack.Issue
	issues, _ = s.svc.Store().ListIssues(t.Context(), errtrack.IssueFilter{})
	if len(issues) != 1 || strings.Contains(issues[0].Title, "4111") {
		t.Fatalf("title not scrubbed: %+v", issues)
	}
}

// TestThousandEventsTenBugsThreeReleases sends 1,000 events of 10 distinct
// bugs from 3 releases over HTTP, concurrently, and expects exactly 10
// issues of 100 events each.
func TestThousandEventsTenBugsThreeReleases(t *testing.T) {
	s := sqliteServer(t)
	const events, bugs, workers = 1000, 10, 8
	jobs := make(chan int)
	var wg sync.WaitGroup
	errs := make(chan string, events)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				resp, m := post(t, s.URL+"/api/7/envelope/", envelopeOf(bugEvent(i, i%bugs, i%3)), auth7())
				if resp.StatusCode != 200 {
					errs <- fmt.Sprintf("event %d: %d %v", i, resp.StatusCode, m)
				}
			}
		}()
	}
	for i := 0; i < events; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatal(e)
	}
	var got struct{ Issues []errtrack.Issue }
	if code := getJSON(t, s.URL+"/api/v1/issues?limit=100", readToken, &got); code != 200 {
		t.Fatalf("list: %d", code)
	}
	if len(got.Issues) != bugs {
		t.Fatalf("%d issues, want %d", len(got.Issues), bugs)
	}
	for _, is := range got.Issues {
		if is.Count != events/bugs {
			t.Errorf("issue %q has %d events, want %d", is.Title, is.Count, events/bugs)
		}
	}
	if n := len(s.alerts.names()); n != bugs {
		t.Errorf("%d new-issue alerts, want %d", n, bugs)
	}
}

// bugEvent is event i of bug b from release r: the deploy changes line
// numbers, the checkout directory and the numbers in the message.
func bugEvent(i, b, r int) string {
	ev := map[string]any{
		"event_id": eventID(10000 + i), "level": "error", "platform": "go", "environment": "production",
		"release": fmt.Sprintf("shop@1.%d.0", r),
		"user":    map[string]any{"id": fmt.Sprint(i % 37)},
		"exception": []map[string]any{{
			"type": fmt.Sprintf("*main.Bug%dError", b), "value": fmt.Sprintf("order %d failed", i),
			"stacktrace": map[string]any{"frames": []map[string]any{
				{"function": "main", "module": "main", "abs_path": fmt.Sprintf("/srv/shop-%d/main.go", r), "lineno": 10 + r, "in_app": true},
				{"function": fmt.Sprintf("handler%d", b), "module": "shop/api", "abs_path": fmt.Sprintf("/srv/shop-%d/api/h.go", r), "lineno": 100 + r*7, "in_app": true},
			}},
		}},
	}
	b2, _ := json.Marshal(ev)
	return string(b2)
}
