package ingest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

// BulkItem is the outcome of one action of an Elasticsearch bulk request,
// in the order of the request, as clients expect it back.
type BulkItem struct {
	Action string // index, create, ...
	Index  string
	Status int
	Error  string
}

// DecodeBulk reads an Elasticsearch _bulk body: action lines
// ({"index":{...}} or {"create":{...}}) each followed by a document. Other
// actions (delete, update) make no sense for logs and come back as failed
// items; the documents of good items become records. The document's
// _index is kept in the "index" field.
func DecodeBulk(r io.Reader, now time.Time, maxRecords int) ([]logs.Record, []BulkItem, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), MaxLine)
	var recs []logs.Record
	var items []BulkItem
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var action map[string]struct {
			Index string `json:"_index"`
		}
		if err := json.Unmarshal(b, &action); err != nil || len(action) != 1 {
			return nil, nil, &LineError{Line: line, Msg: "expected an action such as {\"index\":{}}"}
		}
		var item BulkItem
		for k, v := range action {
			item = BulkItem{Action: k, Index: v.Index}
		}
		switch item.Action {
		case "index", "create":
		case "delete":
			item.Status, item.Error = 400, "delete is not supported: log lines are immutable"
			items = append(items, item)
			continue
		default:
			item.Status, item.Error = 400, item.Action+" is not supported: use index or create"
		}
		if !sc.Scan() {
			return nil, nil, &LineError{Line: line + 1, Msg: "the action has no document after it"}
		}
		line++
		if item.Status != 0 {
			items = append(items, item)
			continue
		}
		if maxRecords > 0 && len(recs) >= maxRecords {
			return nil, nil, &LineError{Line: line, Msg: fmt.Sprintf("more than %d documents in one request; send smaller batches", maxRecords)}
		}
		doc := bytes.TrimSpace(sc.Bytes())
		if len(doc) == 0 || doc[0] != '{' {
			item.Status, item.Error = 400, "the document is not a JSON object"
			items = append(items, item)
			continue
		}
		rec, err := DecodeLine(doc, now)
		if err != nil {
			item.Status, item.Error = 400, err.Error()
			items = append(items, item)
			continue
		}
		if item.Index != "" {
			rec.Set("index", item.Index)
		}
		item.Status = 201
		items = append(items, item)
		recs = append(recs, rec)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, nil, &LineError{Line: line + 1, Msg: fmt.Sprintf("line is longer than %d bytes", MaxLine)}
		}
		return nil, nil, err
	}
	return recs, items, nil
}
