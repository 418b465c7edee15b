package applog_test

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/pkg/applog"
)

// The fakes below have exactly the optional interfaces their names say.
type (
	plainWriter struct{ http.ResponseWriter }
	flushOnly   struct{ http.ResponseWriter }
	hijackOnly  struct{ http.ResponseWriter }
	flushHijack struct{ http.ResponseWriter }
	readFromW   struct {
		http.ResponseWriter
		called bool
	}
)

func (flushOnly) Flush()   {}
func (flushHijack) Flush() {}
func (hijackOnly) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, nil
}
func (flushHijack) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return nil, nil, nil
}
func (w *readFromW) ReadFrom(r io.Reader) (int64, error) {
	w.called = true
	return io.Copy(w.ResponseWriter, r)
}

// wrapped returns the writer Middleware gives the handler when serving w.
func wrapped(w http.ResponseWriter) http.ResponseWriter {
	var got http.ResponseWriter
	applog.Middleware(applog.New(io.Discard, applog.Options{}), applog.MiddlewareOptions{})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = w }),
	).ServeHTTP(w, httptest.NewRequest("GET", "/", nil))
	return got
}

func TestWriterKeepsOptionalInterfaces(t *testing.T) {
	base := httptest.NewRecorder()
	tests := []struct {
		name              string
		w                 http.ResponseWriter
		flusher, hijacker bool
	}{
		{"plain", plainWriter{base}, false, false},
		{"flusher", flushOnly{base}, true, false},
		{"hijacker", hijackOnly{base}, false, true},
		{"both", flushHijack{base}, true, true},
	}
	for _, tt := range tests {
		w := wrapped(tt.w)
		if _, ok := w.(http.Flusher); ok != tt.flusher {
			t.Errorf("%s: Flusher = %v, want %v", tt.name, ok, tt.flusher)
		}
		if _, ok := w.(http.Hijacker); ok != tt.hijacker {
			t.Errorf("%s: Hijacker = %v, want %v", tt.name, ok, tt.hijacker)
		}
		if _, ok := w.(io.ReaderFrom); !ok {
			t.Errorf("%s: not an io.ReaderFrom", tt.name)
		}
		if u, ok := w.(interface{ Unwrap() http.ResponseWriter }); !ok || u.Unwrap() != tt.w {
			t.Errorf("%s: Unwrap does not return the underlying writer", tt.name)
		}
	}
}

func TestWriterReadFrom(t *testing.T) {
	for _, tt := range []struct {
		name string
		w    *readFromW
		base http.ResponseWriter
	}{
		{"passes through", &readFromW{ResponseWriter: httptest.NewRecorder()}, nil},
		{"falls back to copy", nil, httptest.NewRecorder()},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			var under http.ResponseWriter = tt.base
			if tt.w != nil {
				under = tt.w
			}
			applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
				http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					w.(io.ReaderFrom).ReadFrom(strings.NewReader("0123456789"))
				}),
			).ServeHTTP(under, httptest.NewRequest("GET", "/", nil))
			if tt.w != nil && !tt.w.called {
				t.Error("underlying ReadFrom not called")
			}
			l := findMsg(decodeLines(t, buf.String()), "request")[0]
			if l["bytes"] != 10.0 || l["status"] != 200.0 {
				t.Errorf("access line = %v", l)
			}
		})
	}
}

// TestWriterFlushOverServer proves a flush reaches the client while the
// handler is still running, both by type assertion and through
// http.ResponseController, which needs Unwrap.
func TestWriterFlushOverServer(t *testing.T) {
	for _, useController := range []bool{false, true} {
		release := make(chan struct{})
		srv := httptest.NewServer(applog.Middleware(applog.New(io.Discard, applog.Options{}), applog.MiddlewareOptions{})(
			http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, "first\n")
				if useController {
					rc := http.NewResponseController(w)
					if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
						t.Errorf("SetWriteDeadline through the wrapper: %v", err)
					}
					if err := rc.Flush(); err != nil {
						t.Errorf("ResponseController.Flush: %v", err)
					}
				} else {
					w.(http.Flusher).Flush()
				}
				<-release
				io.WriteString(w, "second\n")
			})))

		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		line, err := bufio.NewReader(resp.Body).ReadString('\n')
		if err != nil || line != "first\n" {
			t.Errorf("controller=%v: read %q, %v before the handler finished", useController, line, err)
		}
		close(release)
		resp.Body.Close()
		srv.Close()
	}
}

// TestWriterHijackOverServer upgrades a real connection the way WebSocket
// libraries do and echoes a message over it.
func TestWriterHijackOverServer(t *testing.T) {
	var buf syncBuffer
	done := make(chan struct{})
	mw := applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hj, ok := w.(http.Hijacker)
			if !ok {
				t.Error("wrapper hides http.Hijacker")
				return
			}
			conn, rw, err := hj.Hijack()
			if err != nil {
				t.Error(err)
				return
			}
			defer conn.Close()
			rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
			rw.Flush()
			msg, _ := rw.ReadString('\n')
			rw.WriteString("echo: " + msg)
			rw.Flush()
		}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer close(done)
		mw.ServeHTTP(w, r)
	}))
	defer srv.Close()

	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	io.WriteString(conn, "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\n")
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusSwitchingProtocols {
		t.Fatalf("status = %d, want 101", resp.StatusCode)
	}
	io.WriteString(conn, "ping\n")
	if got, _ := br.ReadString('\n'); got != "echo: ping\n" {
		t.Errorf("over the hijacked connection got %q", got)
	}

	<-done
	l := findMsg(decodeLines(t, buf.String()), "request")[0]
	if l["hijacked"] != true || l["status"] != 0.0 || l["level"] != "info" {
		t.Errorf("access line = %v", l)
	}
}

func TestWriterInterimStatus(t *testing.T) {
	var buf bytes.Buffer
	applog.Middleware(applog.New(&buf, applog.Options{}), applog.MiddlewareOptions{})(
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusEarlyHints)
			w.WriteHeader(http.StatusNoContent)
			w.WriteHeader(http.StatusInternalServerError) // superfluous, ignored by net/http too
		}),
	).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if l := findMsg(decodeLines(t, buf.String()), "request")[0]; l["status"] != 204.0 {
		t.Errorf("status = %v, want the final 204", l["status"])
	}
}
