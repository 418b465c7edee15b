package applog

import (
	"bufio"
	"io"
	"net"
	"net/http"
)

// recorder notes the status and size of a response for the access line.
// Like any ResponseWriter it is used by one goroutine at a time, so it has
// no lock.
type recorder struct {
	http.ResponseWriter
	status      int
	bytes       int64
	wroteHeader bool
	hijacked    bool
}

func (rec *recorder) WriteHeader(code int) {
	// 1xx other than 101 are interim responses; the final status follows.
	if !rec.wroteHeader && (code >= 200 || code == http.StatusSwitchingProtocols) {
		rec.status = code
		rec.wroteHeader = true
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	rec.implicitOK()
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// ReadFrom keeps the sendfile fast path of net/http when the underlying
// writer has it, and otherwise copies as io.Copy would have.
func (rec *recorder) ReadFrom(src io.Reader) (int64, error) {
	rec.implicitOK()
	var n int64
	var err error
	if rf, ok := rec.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		// Hide our own ReadFrom from io.Copy to avoid recursing.
		n, err = io.Copy(writerOnly{rec.ResponseWriter}, src)
	}
	rec.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer for
// deadlines, full duplex and anything added to net/http later.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }

// implicitOK records the 200 that net/http sends when the body starts
// without a WriteHeader call.
func (rec *recorder) implicitOK() {
	if !rec.wroteHeader {
		rec.status = http.StatusOK
		rec.wroteHeader = true
	}
}

func (rec *recorder) flush() {
	rec.implicitOK()
	rec.ResponseWriter.(http.Flusher).Flush()
}

func (rec *recorder) hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := rec.ResponseWriter.(http.Hijacker).Hijack()
	if err == nil {
		rec.hijacked = true
	}
	return conn, rw, err
}

type writerOnly struct{ io.Writer }

// The wrappers below expose Flush and Hijack only when the underlying writer
// has them: code such as WebSocket libraries decides what to do by type
// assertion, and a wrapper that claimed Hijacker over HTTP/2 would mislead it.
type (
	flushWriter       struct{ *recorder }
	hijackWriter      struct{ *recorder }
	flushHijackWriter struct{ *recorder }
)

func (w flushWriter) Flush()       { w.flush() }
func (w flushHijackWriter) Flush() { w.flush() }

func (w hijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error)      { return w.hijack() }
func (w flushHijackWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) { return w.hijack() }

// wrap returns rec as a ResponseWriter with the same optional interfaces as
// the writer it records.
func (rec *recorder) wrap() http.ResponseWriter {
	_, canFlush := rec.ResponseWriter.(http.Flusher)
	_, canHijack := rec.ResponseWriter.(http.Hijacker)
	switch {
	case canFlush && canHijack:
		return flushHijackWriter{rec}
	case canFlush:
		return flushWriter{rec}
	case canHijack:
		return hijackWriter{rec}
	}
	return rec
}
