package backup

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"runtime"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
)

// Compression levels a target may ask for.
const (
	LevelFastest = "fastest"
	LevelDefault = "default"
	LevelBetter  = "better"
)

func zstdLevel(name string) (zstd.EncoderLevel, error) {
	switch name {
	case "", LevelFastest:
		return zstd.SpeedFastest, nil
	case LevelDefault:
		return zstd.SpeedDefault, nil
	case LevelBetter:
		return zstd.SpeedBetterCompression, nil
	}
	return 0, fmt.Errorf("compression %q is not fastest, default or better", name)
}

// Sealer is how a raw dump is compressed and optionally encrypted.
type Sealer struct {
	Level      string
	Recipients []age.Recipient
}

// sealed is the outcome of sealing one file.
type sealed struct {
	File
}

// sealChunk is how much of the raw copy one zstd frame holds. Frames are
// compressed on every core at once and written in order; a zstd decoder
// reads the concatenated frames as one stream, so restores are unchanged.
const sealChunk = 4 << 20

// framer compresses chunks handed to it in order into one zstd frame each,
// on up to GOMAXPROCS encoders at once, and writes the frames in the same
// order to sink from one writer goroutine. At most a few chunks are in
// flight: add blocks when the writer is behind.
type framer struct {
	enc       *zstd.Encoder
	jobs      chan *frameJob
	order     chan *frameJob
	rawFree   chan []byte
	frameFree chan []byte
	written   chan error
	wg        sync.WaitGroup
	chunks    int
}

type frameJob struct {
	raw   []byte
	frame chan []byte
}

func newFramer(level zstd.EncoderLevel, sink io.Writer) (*framer, error) {
	workers := min(runtime.GOMAXPROCS(0), 4)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(workers), zstd.WithZeroFrames(true))
	if err != nil {
		return nil, err
	}
	f := &framer{
		enc: enc, jobs: make(chan *frameJob, workers), order: make(chan *frameJob, 2*workers),
		rawFree: make(chan []byte, 3*workers+2), frameFree: make(chan []byte, 3*workers+2), written: make(chan error, 1),
	}
	go func() {
		var werr error
		for j := range f.order {
			frame := <-j.frame
			if werr == nil {
				_, werr = sink.Write(frame)
			}
			select {
			case f.frameFree <- frame[:0]:
			default:
			}
		}
		f.written <- werr
	}()
	for range workers {
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			for j := range f.jobs {
				var dst []byte
				select {
				case dst = <-f.frameFree:
				default:
				}
				j.frame <- enc.EncodeAll(j.raw, dst)
				select {
				case f.rawFree <- j.raw[:cap(j.raw)]:
				default:
				}
			}
		}()
	}
	return f, nil
}

// buffer returns a chunk buffer of sealChunk bytes to fill and add.
func (f *framer) buffer() []byte {
	select {
	case b := <-f.rawFree:
		return b
	default:
		return make([]byte, sealChunk)
	}
}

// add queues b (from buffer) for compression; b must not be used after.
func (f *framer) add(b []byte) {
	j := &frameJob{raw: b, frame: make(chan []byte, 1)}
	f.chunks++
	f.order <- j
	f.jobs <- j
}

// close waits for every frame to be written and reports a write error.
func (f *framer) close() error {
	close(f.jobs)
	close(f.order)
	f.wg.Wait()
	err := <-f.written
	_ = f.enc.Close() // the encoder's own state: EncodeAll has returned every frame
	return err
}

// sealer is the output side of a seal: the file, its hash and size, and
// the optional age encryption in front of it.
type sealOut struct {
	f      *os.File
	hash   hash.Hash
	count  *counter
	buf    *bufio.Writer
	sink   io.Writer
	ageW   io.WriteCloser
	closed bool
}

func (s Sealer) create(outPath string) (*sealOut, error) {
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, err
	}
	o := &sealOut{f: out, hash: sha256.New(), count: &counter{}}
	o.buf = bufio.NewWriterSize(io.MultiWriter(out, o.hash, o.count), 1<<20)
	o.sink = o.buf
	if len(s.Recipients) > 0 {
		o.ageW, err = age.Encrypt(o.buf, s.Recipients...)
		if err != nil {
			_ = out.Close() // the encryption error is the one to report
			return nil, fmt.Errorf("encrypt: %w", err)
		}
		o.sink = o.ageW
	}
	return o, nil
}

// finish closes the encryption, flushes and fsyncs the output.
func (o *sealOut) finish(outPath string) error {
	if o.ageW != nil {
		if err := o.ageW.Close(); err != nil {
			return fmt.Errorf("encrypt: %w", err)
		}
	}
	if err := o.buf.Flush(); err != nil {
		return err
	}
	if err := o.f.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", outPath, err)
	}
	o.closed = true
	return o.f.Close()
}

func (o *sealOut) abort() {
	if !o.closed {
		_ = o.f.Close() // abandoned: the seal's own error is returned
	}
}

// seal compresses (and encrypts) the file at rawPath into outPath (see
// sealFrom).
func (s Sealer) seal(rawPath, outPath string, progress Progress) (sealed, error) {
	in, err := os.Open(rawPath)
	if err != nil {
		return sealed{}, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return sealed{}, err
	}
	return s.sealFrom(outPath, progress, func(w io.Writer, size func(int64)) error {
		size(st.Size())
		if _, err := io.Copy(w, in); err != nil {
			return fmt.Errorf("read %s: %w", rawPath, err)
		}
		return nil
	})
}

// sealFrom compresses (and encrypts) what write writes into outPath,
// hashing both sides on the way, and fsyncs the output. The bytes are cut
// into sealChunk pieces, each hashed as it fills and compressed into its
// own frame by one of up to GOMAXPROCS compressors, and the frames are
// encrypted, hashed and written in order by one writer. write may tell
// size the raw length, for progress.
func (s Sealer) sealFrom(outPath string, progress Progress, write func(w io.Writer, size func(int64)) error) (sealed, error) {
	level, err := zstdLevel(s.Level)
	if err != nil {
		return sealed{}, err
	}
	out, err := s.create(outPath)
	if err != nil {
		return sealed{}, err
	}
	defer out.abort()
	fr, err := newFramer(level, out.sink)
	if err != nil {
		return sealed{}, err
	}
	cw := &chunkWriter{fr: fr, hash: sha256.New(), progress: progress}
	werr := write(cw, func(n int64) { cw.total = n })
	if werr == nil {
		cw.flush(true)
	}
	ferr := fr.close()
	if werr != nil {
		return sealed{}, werr
	}
	if ferr != nil {
		return sealed{}, fmt.Errorf("compress: %w", ferr)
	}
	if err := out.finish(outPath); err != nil {
		return sealed{}, err
	}
	progress.report("compress", cw.n, cw.n)
	return sealed{File{Size: out.count.n, SHA256: hexSum(out.hash), RawSize: cw.n, RawSHA256: hexSum(cw.hash)}}, nil
}

// chunkWriter fills the framer's buffers with what is written to it and
// hands each on when full, hashing the raw bytes a chunk at a time.
type chunkWriter struct {
	fr       *framer
	buf      []byte // the chunk being filled: buf[:len(buf)] of cap sealChunk
	hash     hash.Hash
	n, total int64
	progress Progress
	reported time.Time
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		if c.buf == nil {
			c.buf = c.fr.buffer()[:0]
		}
		k := copy(c.buf[len(c.buf):cap(c.buf)], p)
		c.buf = c.buf[:len(c.buf)+k]
		p = p[k:]
		if len(c.buf) == cap(c.buf) {
			c.flush(false)
		}
	}
	return n, nil
}

// flush hands on the chunk being filled; at the end (last) an empty copy
// still gets its (empty) frame.
func (c *chunkWriter) flush(last bool) {
	if c.buf == nil && !(last && c.fr.chunks == 0) {
		return
	}
	if c.buf == nil {
		c.buf = c.fr.buffer()[:0]
	}
	_, _ = c.hash.Write(c.buf) // a hash never fails
	c.n += int64(len(c.buf))
	c.fr.add(c.buf)
	c.buf = nil
	if c.progress != nil && time.Since(c.reported) > 500*time.Millisecond {
		c.reported = time.Now()
		c.progress("compress", c.n, c.total)
	}
}

// Opener reverses a Sealer: it decrypts with Identities and decompresses.
type Opener struct {
	Identities []age.Identity
}

// open decrypts and decompresses the stored file at path into rawPath and
// checks the raw size and SHA-256 against f. The stored file's own checksum
// must have been checked already (see checkStored).
func (o Opener) open(path, rawPath string, f File, encrypted bool, progress Progress) error {
	in, err := os.Open(path)
	if err != nil {
		return err
	}
	defer in.Close()
	var src io.Reader = bufio.NewReaderSize(in, 1<<20)
	if encrypted {
		if len(o.Identities) == 0 {
			return errors.New("the backup is encrypted and no age identity is configured")
		}
		src, err = age.Decrypt(src, o.Identities...)
		if err != nil {
			var nm *age.NoIdentityMatchError
			if errors.As(err, &nm) {
				return fmt.Errorf("decrypt: the age identity given does not match the recipient this backup was encrypted to: %w", err)
			}
			return fmt.Errorf("decrypt: %w", err)
		}
	}
	zr, err := zstd.NewReader(src, zstd.WithDecoderConcurrency(min(runtime.GOMAXPROCS(0), 4)), zstd.WithDecoderMaxMemory(1<<30))
	if err != nil {
		return fmt.Errorf("decompress: %w", err)
	}
	defer zr.Close()
	out, err := os.OpenFile(rawPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(out, h), 1<<20)
	pr := &progressReader{r: zr, stage: "decompress", total: f.RawSize, progress: progress}
	n, err := io.Copy(bw, pr)
	if err != nil {
		if encrypted && strings.Contains(err.Error(), "authentication failed") {
			return fmt.Errorf("decrypt: the encrypted data is damaged: %w", err)
		}
		return fmt.Errorf("decompress: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if n != f.RawSize {
		return fmt.Errorf("decompressed %d bytes, the manifest says %d", n, f.RawSize)
	}
	if got := hexSum(h); got != f.RawSHA256 {
		return fmt.Errorf("raw SHA-256 is %s, the manifest says %s", got, f.RawSHA256)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	return out.Close()
}

// fetch copies the stored object into path, hashing it, and compares size
// and SHA-256 with the manifest: a flipped byte or a truncated upload stops
// here, naming the file.
func fetch(r io.Reader, path string, f File, progress Progress) error {
	out, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	pr := &progressReader{r: r, stage: "download", total: f.Size, progress: progress}
	n, err := io.Copy(io.MultiWriter(out, h), pr)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if n != f.Size {
		return fmt.Errorf("size is %d bytes, the manifest says %d (truncated or replaced)", n, f.Size)
	}
	if got := hexSum(h); got != f.SHA256 {
		return fmt.Errorf("SHA-256 mismatch: the file is %s, the manifest says %s (the artifact was altered or damaged)", got, f.SHA256)
	}
	return out.Close()
}

func hexSum(h hash.Hash) string { return hex.EncodeToString(h.Sum(nil)) }

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// progressReader reports bytes read at most every 500ms.
type progressReader struct {
	r        io.Reader
	stage    string
	done     int64
	total    int64
	last     time.Time
	progress Progress
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.progress != nil && (err == io.EOF || time.Since(p.last) > 500*time.Millisecond) {
		p.last = time.Now()
		p.progress(p.stage, p.done, p.total)
	}
	return n, err
}
