package errtrack

import (
	"bytes"
	"fmt"

	"github.com/klauspost/compress/zstd"
)

// Stored event payloads are zstd frames: a 26 KB event of stack frames,
// source context and breadcrumbs shrinks 5-8x, and that is what the
// database (SQLite's WAL and its fsync, PostgreSQL's WAL) has to write
// before an event is acknowledged. Rows written before compression hold
// the JSON itself; a JSON object never starts with zstd's magic number,
// so DecodePayload tells the two apart.
var (
	zstdMagic = []byte{0x28, 0xb5, 0x2f, 0xfd}
	// EncodeAll and DecodeAll may be called concurrently.
	payloadEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderCRC(true))
	payloadDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(256<<20))
)

// EncodePayload compresses an event's (scrubbed) JSON for storage.
func EncodePayload(raw []byte) []byte {
	return payloadEncoder.EncodeAll(raw, make([]byte, 0, len(raw)/4+64))
}

// DecodePayload returns the JSON of a stored payload, compressed or not.
func DecodePayload(stored []byte) ([]byte, error) {
	if !bytes.HasPrefix(stored, zstdMagic) {
		return stored, nil
	}
	out, err := payloadDecoder.DecodeAll(stored, nil)
	if err != nil {
		return nil, fmt.Errorf("decompress stored event: %w", err)
	}
	return out, nil
}
