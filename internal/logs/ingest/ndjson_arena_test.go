package ingest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

// finishRef is finish as it was before the one-pass key search: the
// reference FuzzNDJSONAsLines compares against.
func finishRef(fields []logs.Field, now time.Time) (logs.Record, error) {
	fields = slices.Clone(fields)
	byName := func(a, b logs.Field) int { return strings.Compare(a.Name, b.Name) }
	slices.SortStableFunc(fields, byName)
	out := fields[:0]
	for i, f := range fields {
		if i+1 < len(fields) && fields[i+1].Name == f.Name {
			continue
		}
		out = append(out, f)
	}
	rec := logs.Record{Time: now, Fields: out}
	for _, k := range timeKeys {
		if i := index(rec.Fields, k); i >= 0 {
			t, err := ParseTime(rec.Fields[i].Value)
			if err != nil {
				return rec, fmt.Errorf("field %q: %v", k, err)
			}
			rec.Time = t
			rec.Fields = append(rec.Fields[:i], rec.Fields[i+1:]...)
			break
		}
	}
	if index(rec.Fields, logs.FieldMsg) < 0 {
		for _, k := range msgKeys[1:] {
			if i := index(rec.Fields, k); i >= 0 {
				rec.Fields[i].Name = logs.FieldMsg
				break
			}
		}
	}
	return rec, nil
}

// FuzzNDJSONAsLines: a request decoded whole (fields copied into shared
// chunks) gives, line for line, what the reference decoder gives for each
// line on its own, and the room left after each record's fields never
// reaches into the next record's.
func FuzzNDJSONAsLines(f *testing.F) {
	f.Add(`{"time":"2026-11-30T10:00:00Z","msg":"a","level":"info"}`, `{"ts":1764504000,"message":"b","log":"c","service":"s"}`)
	f.Add(`{"_msg":"x","msg":"y","date":"2026-11-30T10:00:00.5Z"}`, `plain text`)
	f.Add(`{"b":1,"a":{"c":"d"},"time":"yesterday"}`, `{"@timestamp":"2026-11-30T10:00:00Z","@message":"m","_time":"2026-11-30T11:00:00Z"}`)
	f.Add(`{"a":1,"a":2}`, `{"x":"\u00e9\n"}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		if strings.ContainsAny(a, "\n") || strings.ContainsAny(b, "\n") {
			return
		}
		lines := []string{a, b, a}
		got, err := DecodeNDJSON(strings.NewReader(strings.Join(lines, "\n")), now, 0)
		var want []logs.Record
		var wantErr error
		for _, l := range lines {
			l = strings.TrimSpace(l)
			if l == "" {
				continue
			}
			var rec logs.Record
			var err error
			if l[0] == '{' {
				var fs []logs.Field
				if fs, err = fastFieldsString(l); err != nil {
					fs, err = slowFields([]byte(l))
				}
				if err == nil {
					rec, err = finishRef(fs, now)
				}
			} else {
				rec, err = decodeLine(l, now)
			}
			if err != nil {
				wantErr = err
				break
			}
			want = append(want, rec)
		}
		if (err != nil) != (wantErr != nil) {
			t.Fatalf("whole request: %v; line by line: %v", err, wantErr)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%d records, want %d", len(got), len(want))
		}
		// The request's buffer is reused by the next request: nothing
		// decoded may point into it.
		for range 3 {
			other := strings.Repeat(`{"zzzz":"`+strings.Repeat("#", len(a)+len(b))+`"}`+"\n", 3)
			if _, err := DecodeNDJSON(strings.NewReader(other), now, 0); err != nil {
				t.Fatal(err)
			}
		}
		for i := range got {
			if !got[i].Time.Equal(want[i].Time) || !reflect.DeepEqual(slices.Clip(got[i].Fields), slices.Clip(want[i].Fields)) &&
				(len(got[i].Fields) > 0 || len(want[i].Fields) > 0) {
				t.Fatalf("record %d:\n got %v %v\nwant %v %v", i, got[i].Time, got[i].Fields, want[i].Time, want[i].Fields)
			}
		}
		// What logs.Service does: add env and service to every record;
		// no record may change another.
		for i := range got {
			got[i].Set("env", fmt.Sprint("e", i))
			got[i].Set("service", fmt.Sprint("s", i))
		}
		for i := range got {
			if got[i].Get("env") != fmt.Sprint("e", i) || got[i].Get("service") != fmt.Sprint("s", i) {
				t.Fatalf("record %d: env/service %q %q", i, got[i].Get("env"), got[i].Get("service"))
			}
		}
	})
}
