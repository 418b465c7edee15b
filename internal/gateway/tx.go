package gateway

import (
	"io"
	"net"
	"net/http"
	"strconv"

	"github.com/corazawaf/coraza/v3/types"
)

// wafTx feeds one request and its response to a Coraza transaction.
type wafTx struct {
	tx   types.Transaction
	body []byte // the request body, already read within the route's limit
	// transferEncoding is the client's, which reading the body clears.
	transferEncoding []string
}

// processRequest runs phases 1 and 2; it returns the interruption, if any.
func (w *wafTx) processRequest(r *http.Request, clientIP string) *types.Interruption {
	tx := w.tx
	if tx.IsRuleEngineOff() {
		return nil
	}
	_, port, _ := net.SplitHostPort(r.RemoteAddr)
	cport, _ := strconv.Atoi(port)
	tx.ProcessConnection(clientIP, cport, "", 0)
	uri := r.RequestURI
	if uri == "" {
		uri = r.URL.RequestURI()
	}
	tx.ProcessURI(uri, r.Method, r.Proto)
	for k, vs := range r.Header {
		for _, v := range vs {
			tx.AddRequestHeader(k, v)
		}
	}
	if r.Host != "" {
		tx.AddRequestHeader("Host", r.Host)
		tx.SetServerName(r.Host)
	}
	for _, te := range w.transferEncoding {
		tx.AddRequestHeader("Transfer-Encoding", te)
	}
	if it := tx.ProcessRequestHeaders(); it != nil {
		return it
	}
	if len(w.body) > 0 && tx.IsRequestBodyAccessible() {
		if it, _, err := tx.WriteRequestBody(w.body); it != nil || err != nil {
			return it
		}
	}
	it, _ := tx.ProcessRequestBody()
	return it
}

// processResponse runs phase 3 and, when response bodies are inspected,
// phase 4 on a body read up to the WAF's response body limit.
func (w *wafTx) processResponse(resp *http.Response) (*types.Interruption, error) {
	tx := w.tx
	for k, vs := range resp.Header {
		for _, v := range vs {
			tx.AddResponseHeader(k, v)
		}
	}
	if it := tx.ProcessResponseHeaders(resp.StatusCode, resp.Proto); it != nil {
		return it, nil
	}
	if !tx.IsResponseBodyAccessible() || !tx.IsResponseBodyProcessable() {
		return nil, nil
	}
	it, _, err := tx.ReadResponseBodyFrom(resp.Body)
	if err != nil {
		return nil, err
	}
	if it == nil {
		if it, err = tx.ProcessResponseBody(); err != nil {
			return nil, err
		}
	}
	if it != nil {
		return it, nil
	}
	buffered, err := tx.ResponseBodyReader()
	if err != nil {
		return nil, err
	}
	resp.Body = readCloser{io.MultiReader(buffered, resp.Body), resp.Body}
	return nil, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}
