// Package logclient talks to a Warden's logs API: it ships NDJSON batches
// (retrying on 429 as Retry-After says) and runs queries. The CLI's
// `warden logs` and `warden run` use it.
package logclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client is a logs API client.
type Client struct {
	URL   string // http://127.0.0.1:9090
	Token string
	HTTP  *http.Client
	// MaxRetries bounds retries of a batch refused with 429 or a network
	// error (default 20).
	MaxRetries int
}

// APIError is an error answer from the server.
type APIError struct {
	Status int
	Msg    string
	Field  string
}

func (e *APIError) Error() string { return fmt.Sprintf("server answered %d: %s", e.Status, e.Msg) }

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

func (c *Client) do(req *http.Request) (*http.Response, error) {
	req.Header.Set("Authorization", "Bearer "+c.Token)
	resp, err := c.http().Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w (is warden serve running there?)", req.Method, req.URL.Redacted(), err)
	}
	return resp, nil
}

func apiError(resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var body struct {
		Error string `json:"error"`
		Field string `json:"field"`
	}
	if json.Unmarshal(b, &body) != nil || body.Error == "" {
		body.Error = strings.TrimSpace(string(b))
	}
	return &APIError{Status: resp.StatusCode, Msg: body.Error, Field: body.Field}
}

// Ship posts one NDJSON batch, retrying while the server is overloaded or
// unreachable. It returns the number of lines the server accepted.
func (c *Client) Ship(ctx context.Context, env, service string, ndjson []byte) (int, error) {
	q := url.Values{}
	if env != "" {
		q.Set("env", env)
	}
	if service != "" {
		q.Set("service", service)
	}
	u := strings.TrimRight(c.URL, "/") + "/api/v1/logs?" + q.Encode()
	retries := c.MaxRetries
	if retries <= 0 {
		retries = 20
	}
	wait := 200 * time.Millisecond
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, "POST", u, bytes.NewReader(ndjson))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := c.do(req)
		if err == nil {
			if resp.StatusCode == http.StatusOK {
				var out struct{ Accepted int }
				err = json.NewDecoder(resp.Body).Decode(&out)
				resp.Body.Close()
				return out.Accepted, err
			}
			err = apiError(resp)
			resp.Body.Close()
			if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode < 500 {
				return 0, err
			}
			if s, perr := strconv.Atoi(resp.Header.Get("Retry-After")); perr == nil && s > 0 {
				wait = time.Duration(s) * time.Second
			}
		}
		if attempt >= retries {
			return 0, err
		}
		select {
		case <-ctx.Done():
			return 0, err
		case <-time.After(wait):
		}
		wait = min(wait*2, 10*time.Second)
	}
}

// Row is one result row, fields in order.
type Row []Field

// Field is a name and value.
type Field struct{ Name, Value string }

// UnmarshalJSON keeps the order of the object's keys.
func (r *Row) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return fmt.Errorf("row is not an object")
	}
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return err
		}
		var v string
		if err := dec.Decode(&v); err != nil {
			return err
		}
		*r = append(*r, Field{Name: k.(string), Value: v})
	}
	return nil
}

// Result is a query's answer.
type Result struct {
	Rows   []Row   `json:"rows"`
	Count  int     `json:"count"`
	TookMS float64 `json:"took_ms"`
}

// Query runs a query; start and end are as the API reads them (RFC 3339,
// Unix seconds or a duration before now, such as 1h).
func (c *Client) Query(ctx context.Context, query, start, end string, limit int) (*Result, error) {
	q := url.Values{"query": {query}}
	if start != "" {
		q.Set("start", start)
	}
	if end != "" {
		q.Set("end", end)
	}
	if limit > 0 {
		q.Set("limit", strconv.Itoa(limit))
	}
	req, err := http.NewRequestWithContext(ctx, "GET", strings.TrimRight(c.URL, "/")+"/api/v1/logs/query?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp)
	}
	var res Result
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return nil, fmt.Errorf("decode the answer: %w", err)
	}
	return &res, nil
}
