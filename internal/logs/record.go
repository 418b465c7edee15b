// Package logs keeps an app's log lines: ingest (every line scrubbed, then
// made durable before it is acknowledged), per-environment retention, the
// LogsQL-subset query language of logql and alarms on query results.
//
// The pipeline, wired in Service:
//
//	decode (ingest) -> scrub -> Store.Append (WAL fsync, buffer, parts)
//	query -> logql.Parse -> Store.Scan (time and token pruning) -> pipes
//	alarms -> query on a schedule -> condition -> alert.Raiser
package logs

import (
	"fmt"
	"regexp"
	"time"

	"github.com/wardenhq/warden/internal/logs/logql"
)

// Field is one name and value of a record.
type Field = logql.Field

// Well-known field names.
const (
	FieldTime    = logql.FieldTime // the record's time (RFC 3339 when read)
	FieldMsg     = logql.FieldMsg  // the message
	FieldEnv     = "env"
	FieldService = "service"
	FieldLevel   = "level"
)

// Record is one log line: a time and flat string fields (nested JSON is
// flattened with dots: {"http":{"status":500}} becomes http.status=500).
type Record struct {
	Time   time.Time
	Fields []Field
}

// Get returns a field's value, or "".
func (r *Record) Get(name string) string {
	for _, f := range r.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

// Set replaces or adds a field.
func (r *Record) Set(name, value string) {
	for i := range r.Fields {
		if r.Fields[i].Name == name {
			r.Fields[i].Value = value
			return
		}
	}
	r.Fields = append(r.Fields, Field{Name: name, Value: value})
}

// Size approximates the memory a record takes, for buffer accounting.
func (r *Record) Size() int {
	n := 48
	for _, f := range r.Fields {
		n += 32 + len(f.Name) + len(f.Value)
	}
	return n
}

var envName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$`)

// ValidEnv checks an environment name: it names a directory on disk.
func ValidEnv(env string) error {
	if !envName.MatchString(env) || env == "." || env == ".." {
		return fmt.Errorf("environment %q must be 1-63 letters, digits, '_', '.' or '-', starting with a letter or digit", env)
	}
	return nil
}

// ScanRequest selects records for a query.
type ScanRequest struct {
	// Envs limits the scan to these environments; empty means all.
	Envs []string
	// Start and End bound record times, [Start, End); zero means open.
	Start, End time.Time
	Filter     logql.Expr
	// Fields limits the fields of the rows passed on (_time is always
	// there); nil means all.
	Fields []string
	// Now anchors relative filters such as _time:1h.
	Now time.Time
	// Blocks, when set, may take whole blocks of stored records instead of
	// a call of the scan's fn per record (a stats query); a store that
	// cannot hand over blocks ignores it.
	Blocks logql.BlockSink
}
