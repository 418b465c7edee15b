// Package victorialogs is the logs.Store for more than one machine: it
// writes to a VictoriaLogs cluster (/insert/jsonline) and reads from it
// (/select/logsql/query). Filters are sent to VictoriaLogs as LogsQL, which
// Warden's query language is a subset of; pipes (stats, sort, fields) run
// in Warden on the rows that come back, so alarms and the UI work the same
// on either store.
package victorialogs

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/logs"
	"github.com/wardenhq/warden/internal/logs/logql"
)

// Store talks to VictoriaLogs at URL (http://vlinsert:9428 for inserts and
// http://vlselect:9428 for selects in a cluster, or one single-node URL).
type Store struct {
	InsertURL string
	SelectURL string
	HTTP      *http.Client
	// MaxRows bounds the rows one scan reads back (default 1,000,000).
	MaxRows int
}

func (s *Store) client() *http.Client {
	if s.HTTP != nil {
		return s.HTTP
	}
	return &http.Client{Timeout: 60 * time.Second}
}

// Append sends records as JSON lines. VictoriaLogs answers once the lines
// are accepted; env and service are its stream fields.
func (s *Store) Append(ctx context.Context, env string, recs []logs.Record) error {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false)
	for i := range recs {
		m := make(map[string]string, len(recs[i].Fields)+1)
		for _, f := range recs[i].Fields {
			m[f.Name] = f.Value
		}
		m[logs.FieldTime] = recs[i].Time.UTC().Format(time.RFC3339Nano)
		if err := enc.Encode(m); err != nil {
			return err
		}
	}
	q := url.Values{"_stream_fields": {"env,service"}, "_msg_field": {logs.FieldMsg}, "_time_field": {logs.FieldTime}}
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(s.InsertURL, "/")+"/insert/jsonline?"+q.Encode(), &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/stream+json")
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("victorialogs insert: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		return logs.ErrOverloaded
	}
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("victorialogs insert answered %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	return nil
}

// Filter renders what Scan sends to VictoriaLogs: the filter in LogsQL,
// limited to the environments asked for.
func Filter(sc logs.ScanRequest) string {
	f := sc.Filter
	if f == nil {
		f = logql.All{}
	}
	q := f.String()
	if len(sc.Envs) > 0 {
		q = logql.And{logql.In{Field: logs.FieldEnv, Values: sc.Envs}, f}.String()
	}
	return q
}

// Scan runs the filter in VictoriaLogs and passes each row to fn.
func (s *Store) Scan(ctx context.Context, sc logs.ScanRequest, fn func(logql.Row) bool) error {
	maxRows := s.MaxRows
	if maxRows <= 0 {
		maxRows = 1_000_000
	}
	form := url.Values{"query": {Filter(sc)}, "limit": {fmt.Sprint(maxRows)}}
	if !sc.Start.IsZero() {
		form.Set("start", sc.Start.UTC().Format(time.RFC3339Nano))
	}
	if !sc.End.IsZero() {
		form.Set("end", sc.End.UTC().Format(time.RFC3339Nano))
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // stops the response stream when fn has had enough
	req, err := http.NewRequestWithContext(ctx, "POST", strings.TrimRight(s.SelectURL, "/")+"/select/logsql/query", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := s.client().Do(req)
	if err != nil {
		return fmt.Errorf("victorialogs query: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
		return fmt.Errorf("victorialogs query answered %d: %s", resp.StatusCode, strings.TrimSpace(string(msg)))
	}
	sc2 := bufio.NewScanner(resp.Body)
	sc2.Buffer(make([]byte, 64<<10), 4<<20)
	for sc2.Scan() {
		line := bytes.TrimSpace(sc2.Bytes())
		if len(line) == 0 {
			continue
		}
		row, err := decodeRow(line, sc.Fields)
		if err != nil {
			return fmt.Errorf("victorialogs query: %w", err)
		}
		if !fn(row) {
			return nil
		}
	}
	return sc2.Err()
}

// decodeRow reads one result line, keeping _time first and _msg second as
// the embedded store does, and dropping VictoriaLogs' own _stream fields.
func decodeRow(line []byte, fields []string) (logql.Row, error) {
	var m map[string]string
	if err := json.Unmarshal(line, &m); err != nil {
		return nil, fmt.Errorf("a result line is not a JSON object of strings: %v", err)
	}
	row := logql.Row{{Name: logs.FieldTime, Value: m[logs.FieldTime]}}
	names := fields
	if names == nil {
		names = make([]string, 0, len(m))
		if _, ok := m[logs.FieldMsg]; ok {
			names = append(names, logs.FieldMsg)
		}
		for k := range m {
			if k != logs.FieldMsg {
				names = append(names, k)
			}
		}
		sortAfterMsg(names)
	}
	for _, k := range names {
		if k == logs.FieldTime || k == "_stream" || k == "_stream_id" {
			continue
		}
		if v := m[k]; v != "" {
			row = append(row, logql.Field{Name: k, Value: v})
		}
	}
	return row, nil
}

func sortAfterMsg(names []string) {
	if len(names) > 0 && names[0] == logs.FieldMsg {
		names = names[1:]
	}
	slices.Sort(names)
}
