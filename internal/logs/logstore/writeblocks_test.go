package logstore

import (
	"bytes"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

// TestWriteBlocksAsOneByOne: encoding a part's blocks two at a time gives
// the same bytes and the same block index as encoding them one by one.
func TestWriteBlocksAsOneByOne(t *testing.T) {
	base := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1, blockRows - 1, blockRows, blockRows + 1, 2 * blockRows, 3*blockRows + 77} {
		recs := make([]logs.Record, n)
		for i := range recs {
			f := []logs.Field{{Name: "_msg", Value: fmt.Sprintf("line %d", i%300)}, {Name: "request_id", Value: fmt.Sprintf("%016x", uint64(i)*0x9e3779b97f4a7c15)}}
			if i%3 == 0 {
				f = append(f, logs.Field{Name: "status", Value: fmt.Sprint(200 + i%5)})
			}
			recs[i] = logs.Record{Time: base.Add(time.Duration(i) * time.Millisecond), Fields: f}
		}
		var one bytes.Buffer
		w1 := &countWriter{w: &one}
		w1.Write([]byte(partMagic))
		var want []blockMeta
		for start := 0; start < n; start += blockRows {
			want = append(want, writeBlock(w1, recs[start:min(start+blockRows, n)]))
		}
		var two bytes.Buffer
		w2 := &countWriter{w: &two}
		w2.Write([]byte(partMagic))
		got := writeBlocks(w2, recs)
		if !bytes.Equal(one.Bytes(), two.Bytes()) || w1.n != w2.n {
			t.Fatalf("%d rows: %d bytes one by one, %d two at a time, or different bytes", n, one.Len(), two.Len())
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d rows: block index differs", n)
		}
	}
}
