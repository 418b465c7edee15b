package envelope

import (
	"os"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/scrub"
)

func benchPayload(b *testing.B) []byte {
	raw, err := os.ReadFile("testdata/node-exception.envelope")
	if err != nil {
		b.Fatal(err)
	}
	env, err := Parse(raw)
	if err != nil {
		b.Fatal(err)
	}
	return env.Items[0].Payload
}

// BenchmarkScrubParseGroup is the CPU an event costs before storage:
// scrubbing, reading and grouping the captured @sentry/node event.
func BenchmarkScrubParseGroup(b *testing.B) {
	p := benchPayload(b)
	s := scrub.New(scrub.Options{})
	b.SetBytes(int64(len(p)))
	for i := 0; i < b.N; i++ {
		clean, _, err := s.JSONInPlace(p)
		if err != nil {
			b.Fatal(err)
		}
		ev, err := ParseEvent(clean, time.Now())
		if err != nil {
			b.Fatal(err)
		}
		errtrack.Group(ev)
		errtrack.EventTags(ev)
	}
}

func BenchmarkParseOnly(b *testing.B) {
	p := benchPayload(b)
	b.SetBytes(int64(len(p)))
	for i := 0; i < b.N; i++ {
		if _, err := ParseEvent(p, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseBench26K reads the 26 KB event bench/errtrack sends;
// BenchmarkParseBench26KV1 reads it with encoding/json, as before.
func BenchmarkParseBench26K(b *testing.B)   { benchParse26K(b, ParseEvent) }
func BenchmarkParseBench26KV1(b *testing.B) { benchParse26K(b, refParseEvent) }

func benchParse26K(b *testing.B, parse func([]byte, time.Time) (*errtrack.Event, error)) {
	p, err := os.ReadFile("testdata/bench-event.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(p)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := parse(p, time.Now()); err != nil {
			b.Fatal(err)
		}
	}
}
