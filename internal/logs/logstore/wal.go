package logstore

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wardenhq/warden/internal/logs"
)

// The write-ahead log is a series of segment files wal/<seq>.wal. Each
// holds frames: 4 bytes length, 4 bytes CRC-32C of the payload, payload. A
// frame is one Append call (one environment, a batch of records). A torn
// last frame (a crash mid-write) fails its checksum and is dropped: it was
// never acknowledged, since acknowledgement waits for fsync.

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maxFrame bounds one frame, so that a corrupt length cannot ask for
// gigabytes.
const maxFrame = 256 << 20

func appendUvarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// encodeFrame appends one frame holding env and recs to b.
func encodeFrame(b []byte, env string, recs []logs.Record) []byte {
	size := 32 + len(env)
	for i := range recs {
		size += 24
		for _, f := range recs[i].Fields {
			size += 10 + len(f.Name) + len(f.Value)
		}
	}
	b = slices.Grow(b, size)
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	b = appendString(b, env)
	b = appendUvarint(b, uint64(len(recs)))
	for i := range recs {
		r := &recs[i]
		b = binary.AppendVarint(b, r.Time.UnixNano())
		b = appendUvarint(b, uint64(len(r.Fields)))
		for _, f := range r.Fields {
			b = appendString(b, f.Name)
			b = appendString(b, f.Value)
		}
	}
	payload := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(payload)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(payload, castagnoli))
	return b
}

var errCorrupt = errors.New("corrupt data")

type reader struct {
	b   []byte
	err error
}

func (r *reader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.err = errCorrupt
		r.b = nil
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) str() string {
	n := r.uvarint()
	if n > uint64(len(r.b)) {
		r.err = errCorrupt
		r.b = nil
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

func decodePayload(p []byte) (string, []logs.Record, error) {
	r := &reader{b: p}
	env := r.str()
	n := r.uvarint()
	if n > uint64(len(p)) {
		return "", nil, errCorrupt
	}
	recs := make([]logs.Record, 0, n)
	for i := uint64(0); i < n && r.err == nil; i++ {
		t := r.varint()
		nf := r.uvarint()
		if nf > uint64(len(r.b)) {
			return "", nil, errCorrupt
		}
		rec := logs.Record{Time: time.Unix(0, t).UTC(), Fields: make([]logs.Field, 0, nf)}
		for j := uint64(0); j < nf && r.err == nil; j++ {
			name := r.str()
			rec.Fields = append(rec.Fields, logs.Field{Name: name, Value: r.str()})
		}
		recs = append(recs, rec)
	}
	return env, recs, r.err
}

// replaySegment calls fn for every intact frame of a segment and truncates
// a torn tail, so that appends after recovery follow good frames.
func replaySegment(path string, fn func(env string, recs []logs.Record)) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var good int64
	hdr := make([]byte, 8)
	for {
		if _, err := io.ReadFull(br, hdr); err != nil {
			break
		}
		n := binary.LittleEndian.Uint32(hdr)
		if n > maxFrame {
			break
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(br, payload); err != nil {
			break
		}
		if crc32.Checksum(payload, castagnoli) != binary.LittleEndian.Uint32(hdr[4:]) {
			break
		}
		env, recs, err := decodePayload(payload)
		if err != nil {
			break
		}
		fn(env, recs)
		good += 8 + int64(n)
	}
	if st, err := f.Stat(); err == nil && st.Size() > good {
		if err := f.Truncate(good); err != nil {
			return fmt.Errorf("truncate torn tail of %s: %w", path, err)
		}
	}
	return nil
}

func segmentPath(dir string, seq uint64) string {
	return filepath.Join(dir, fmt.Sprintf("%016x.wal", seq))
}

// segments lists the WAL segment numbers in dir, in order.
func segments(dir string) ([]uint64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []uint64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".wal")
		if !ok {
			continue
		}
		seq, err := strconv.ParseUint(name, 16, 64)
		if err == nil {
			out = append(out, seq)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
