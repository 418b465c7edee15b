package scrub

import (
	"strings"
	"testing"
)

// logLine is a typical structured log line with nothing to redact:
// timestamps, ids, a URL, numbers.
const logLine = `{"time":"2026-11-23T01:02:03.123456789Z","level":"INFO","msg":"request done",` +
	`"request_id":"01JDX3V7Q8K2M9N4P5R6S7T8V9","method":"GET","path":"/api/v1/orders/ORD-2024-000123",` +
	`"status":200,"duration_ms":13.7,"bytes":5123,"remote":"10.0.0.17:52814","user_id":48213,` +
	`"ua":"Mozilla/5.0 (X11; Linux x86_64)","trace":"4bf92f3577b34da6a3ce929d0e0e4736"}`

const cardLine = `{"time":"2026-11-23T01:02:03Z","level":"ERROR","msg":"charge failed for card 4111 1111 1111 1111",` +
	`"order":"ORD-2024-000123","amount":"1 234,50 kr","status":402}`

func BenchmarkString(b *testing.B) {
	blob := textBlob(64 << 10)
	for _, bm := range []struct{ name, in string }{
		{"log-line", logLine},
		{"card-line", cardLine},
		{"blob-64KiB", blob},
	} {
		b.Run(bm.name, func(b *testing.B) {
			b.SetBytes(int64(len(bm.in)))
			b.ReportAllocs()
			for b.Loop() {
				String(bm.in)
			}
		})
	}
}

func BenchmarkJSON(b *testing.B) {
	for _, bm := range []struct{ name, in string }{
		{"log-line", logLine},
		{"card-line", cardLine},
	} {
		b.Run(bm.name, func(b *testing.B) {
			in := []byte(bm.in)
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := JSON(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// textBlob returns n bytes of plain-text application log, with dates,
// durations, ids and prose but no secrets.
func textBlob(n int) string {
	lines := []string{
		"2026-11-23 01:02:03,123 INFO  [http-nio-8080-exec-7] c.w.OrderService - order ORD-2024-000123 created for customer 48213 in 13 ms\n",
		"2026-11-23 01:02:04,456 WARN  [scheduler-1] c.w.Backup - retrying upload of backup 20261123-0102.tar.gz (attempt 2 of 5), elapsed 1.5s\n",
		"2026-11-23 01:02:05,789 DEBUG [main] c.w.Config - loaded config from /etc/warden/warden.yaml, version v1.26.8, 42 checks enabled\n",
		"The quick brown fox jumps over the lazy dog while the scheduler waits for the next tick of the clock.\n",
	}
	var sb strings.Builder
	for i := 0; sb.Len() < n; i++ {
		sb.WriteString(lines[i%len(lines)])
	}
	return sb.String()[:n]
}
