package errsql

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/errtrack"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// BenchmarkSaveEvents stores batches of 64 events with 20 KB payloads of
// 20 issues on SQLite: the writer's cost per event, fsync included.
func BenchmarkSaveEvents(b *testing.B) {
	s := New(storetest.SQLite(b, Migrations))
	payload := []byte(`{"x":"` + strings.Repeat("y", 20000) + `"}`)
	b.ResetTimer()
	n := 0
	for i := 0; i < b.N; i++ {
		batch := make([]*errtrack.Event, 64)
		for j := range batch {
			n++
			ev := event(fmt.Sprintf("%032x", n), fmt.Sprintf("h%d", n%20), "r1", fmt.Sprint(n%50), time.Now())
			ev.Raw = payload
			batch[j] = ev
		}
		if _, err := s.SaveEvents(context.Background(), batch); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*64)/b.Elapsed().Seconds(), "events/s")
}
