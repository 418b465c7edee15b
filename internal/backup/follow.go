package backup

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"time"
)

// Follower is a Source whose copy can be compressed while it is being
// written, so the compressors use the core the copy leaves idle instead of
// starting after it.
type Follower interface {
	Source
	// DumpFollow is Dump that meanwhile hands emit the regions of the copy
	// already written, contiguous and in order from offset head up to the
	// end of the copy (all of it is emitted before DumpFollow returns).
	// The first head bytes are only final when the copy ends; the caller
	// reads them itself. Buffers come from buf (sealChunk bytes) and belong
	// to emit. What was emitted while the copy ran is checked by the caller
	// against the finished file, so a region read too early is caught.
	DumpFollow(ctx context.Context, path string, buf func() []byte, emit func(off int64, b []byte)) (d Dump, head int64, err error)
}

// errFollow means the regions read while the copy ran do not match the
// finished copy; the caller seals the finished file the ordinary way.
var errFollow = errors.New("the copy changed after it was read")

// followed is what sealFollowing made.
type followed struct {
	dump Dump
	sealed
	copyMS int64
}

// sealFollowing dumps src into raw while compressing it into outPath. The
// output starts with a frame holding the head (the first page, rewritten
// at the end of the copy) stored raw, so its size is known before the copy
// ends and the rest can be written after it; then the frames of the rest
// in order. When it returns errFollow (or any error after the copy), raw
// is complete and can be sealed again from the file.
func (s Sealer) sealFollowing(ctx context.Context, src Follower, raw, outPath string, progress Progress, now func() int64) (followed, error) {
	level, err := zstdLevel(s.Level)
	if err != nil {
		return followed{}, err
	}
	if len(s.Recipients) > 0 {
		return followed{}, errors.New("an encrypted stream cannot be written out of order")
	}
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o600)
	if err != nil {
		return followed{}, err
	}
	defer out.Close()
	fr, err := newFramer(level, out)
	if err != nil {
		return followed{}, err
	}
	type region struct {
		off, n int64
		sum    uint64
	}
	seed := maphash.MakeSeed()
	var regions []region
	var next, head int64 = -1, -1
	var seekErr error
	var reported time.Time
	emit := func(off int64, b []byte) {
		if seekErr != nil {
			return
		}
		if next < 0 { // the first region: the frames go after the head's
			head, next = off, off
			if off < 512 || off > 65536 {
				seekErr = fmt.Errorf("a head of %d bytes", off)
				return
			}
			if _, seekErr = out.Seek(off+rawFrameOverhead, io.SeekStart); seekErr != nil {
				return
			}
		}
		if off != next {
			seekErr = fmt.Errorf("region at %d, expected %d", off, next)
			return
		}
		regions = append(regions, region{off, int64(len(b)), maphash.Bytes(seed, b)})
		next += int64(len(b))
		if time.Since(reported) > 500*time.Millisecond { // a few times a second at most
			reported = time.Now()
			progress.report("compress", next, 0)
		}
		fr.add(b)
	}
	began := now()
	d, h, err := src.DumpFollow(ctx, raw, fr.buffer, emit)
	copyMS := now() - began
	werr := fr.close()
	if err != nil {
		return followed{}, err
	}
	if seekErr != nil || werr != nil {
		return followed{}, errors.Join(errFollow, seekErr, werr)
	}
	if head >= 0 && h != head {
		return followed{}, fmt.Errorf("%w: head %d, first region at %d", errFollow, h, head)
	}
	if head < 0 { // nothing past the head: the output is the head frame alone
		head = h
		if head < 512 || head > 65536 {
			return followed{}, fmt.Errorf("%w: a head of %d bytes", errFollow, head)
		}
	}

	// Read the finished copy once, in order: its SHA-256, the page
	// index, the head, and a check that every region compressed while
	// the copy ran holds what the file holds now.
	in, err := os.Open(raw)
	if err != nil {
		return followed{}, err
	}
	defer in.Close()
	rawHash := sha256.New()
	var tee io.Writer = rawHash
	if d.Pages != nil {
		tee = io.MultiWriter(rawHash, d.Pages)
	}
	headBuf := make([]byte, head)
	if _, err := io.ReadFull(in, headBuf); err != nil {
		return followed{}, fmt.Errorf("%w: read the head: %v", errFollow, err)
	}
	_, _ = tee.Write(headBuf) // hashes and the page index never fail
	buf := make([]byte, sealChunk)
	for _, r := range regions {
		b := buf[:r.n]
		if _, err := io.ReadFull(in, b); err != nil {
			return followed{}, fmt.Errorf("%w: at %d: %v", errFollow, r.off, err)
		}
		if maphash.Bytes(seed, b) != r.sum {
			return followed{}, fmt.Errorf("%w: the %d bytes at %d", errFollow, r.n, r.off)
		}
		_, _ = tee.Write(b)
	}
	if n, _ := in.Read(buf[:1]); n != 0 {
		return followed{}, fmt.Errorf("%w: the copy is longer than what was compressed", errFollow)
	}
	if _, err := out.WriteAt(rawFrame(headBuf), 0); err != nil {
		return followed{}, err
	}
	if err := out.Sync(); err != nil {
		return followed{}, fmt.Errorf("fsync %s: %w", outPath, err)
	}
	if _, err := out.Seek(0, io.SeekStart); err != nil {
		return followed{}, err
	}
	outHash := sha256.New()
	size, err := io.Copy(outHash, out)
	if err != nil {
		return followed{}, err
	}
	rawN := head
	for _, r := range regions {
		rawN += r.n
	}
	return followed{dump: d, copyMS: copyMS, sealed: sealed{File{Size: size, SHA256: hexSum(outHash), RawSize: rawN, RawSHA256: hexSum(rawHash)}}}, out.Close()
}

// rawFrameOverhead is the size of a zstd frame holding up to 65536 bytes in
// one raw block, less those bytes.
const rawFrameOverhead = 10

// rawFrame wraps b (512 to 65536 bytes) in a zstd frame with one raw
// (stored) block: magic, a frame header saying "single segment, content
// size in 2 bytes", the size less 256, and a last-block header.
func rawFrame(b []byte) []byte {
	n := len(b)
	if n < 512 || n > 65536 {
		panic(fmt.Sprintf("rawFrame: %d bytes", n)) // callers check the head size
	}
	fcs := uint16(n - 256) // 256 <= n-256 <= 65280
	bh := uint32(n)<<3 | 1 // n <= 65536: a raw block (type 0), the last
	hdr := []byte{0x28, 0xB5, 0x2F, 0xFD, 0x60, 0, 0, 0, 0, 0}
	binary.LittleEndian.PutUint16(hdr[5:], fcs)
	var b4 [4]byte
	binary.LittleEndian.PutUint32(b4[:], bh)
	copy(hdr[7:], b4[:3])
	return append(hdr, b...)
}
