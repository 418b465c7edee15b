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

// seal compresses (and encrypts) the file at rawPath into outPath, hashing
// both sides on the way, and fsyncs the output. It reads the raw file once:
// each chunk is hashed and shown to pages (when not nil) by the reading
// goroutine, compressed into its own frame by one of up to GOMAXPROCS
// compressors, and encrypted, hashed and written in order by a writer.
func (s Sealer) seal(rawPath, outPath string, progress Progress, pages io.Writer) (sealed, error) {
	level, err := zstdLevel(s.Level)
	if err != nil {
		return sealed{}, err
	}
	in, err := os.Open(rawPath)
	if err != nil {
		return sealed{}, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return sealed{}, err
	}
	out, err := os.OpenFile(outPath, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return sealed{}, err
	}
	defer out.Close()

	outHash := sha256.New()
	outCount := &counter{}
	buf := bufio.NewWriterSize(io.MultiWriter(out, outHash, outCount), 1<<20)
	var sink io.Writer = buf
	var ageW io.WriteCloser
	if len(s.Recipients) > 0 {
		ageW, err = age.Encrypt(buf, s.Recipients...)
		if err != nil {
			return sealed{}, fmt.Errorf("encrypt: %w", err)
		}
		sink = ageW
	}
	workers := min(runtime.GOMAXPROCS(0), 4)
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(level), zstd.WithEncoderConcurrency(workers), zstd.WithZeroFrames(true))
	if err != nil {
		return sealed{}, err
	}
	defer enc.Close()

	type job struct {
		raw   []byte
		frame chan []byte
	}
	jobs := make(chan *job, workers)    // to the compressors
	order := make(chan *job, 2*workers) // to the writer, in file order; bounds the chunks in flight
	rawFree := make(chan []byte, 3*workers+2)
	frameFree := make(chan []byte, 3*workers+2)
	written := make(chan error, 1)
	go func() {
		var werr error
		for j := range order {
			frame := <-j.frame
			if werr == nil {
				_, werr = sink.Write(frame)
			}
			select {
			case frameFree <- frame[:0]:
			default:
			}
		}
		written <- werr
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				var dst []byte
				select {
				case dst = <-frameFree:
				default:
				}
				j.frame <- enc.EncodeAll(j.raw, dst)
				select {
				case rawFree <- j.raw[:cap(j.raw)]:
				default:
				}
			}
		}()
	}

	rawHash := sha256.New()
	var tee io.Writer = rawHash
	if pages != nil {
		tee = io.MultiWriter(rawHash, pages)
	}
	pr := &progressReader{r: in, stage: "compress", total: st.Size(), progress: progress}
	var rawN int64
	var readErr error
	for chunks := 0; ; chunks++ {
		var b []byte
		select {
		case b = <-rawFree:
		default:
			b = make([]byte, sealChunk)
		}
		n, err := io.ReadFull(pr, b)
		if n > 0 || chunks == 0 { // an empty file still gets its (empty) frame
			tee.Write(b[:n])
			rawN += int64(n)
			j := &job{raw: b[:n], frame: make(chan []byte, 1)}
			order <- j
			jobs <- j
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			readErr = err
			break
		}
	}
	close(jobs)
	close(order)
	wg.Wait()
	werr := <-written
	if readErr != nil {
		return sealed{}, fmt.Errorf("compress: read %s: %w", rawPath, readErr)
	}
	if werr != nil {
		return sealed{}, fmt.Errorf("compress: %w", werr)
	}
	if ageW != nil {
		if err := ageW.Close(); err != nil {
			return sealed{}, fmt.Errorf("encrypt: %w", err)
		}
	}
	if err := buf.Flush(); err != nil {
		return sealed{}, err
	}
	if err := out.Sync(); err != nil {
		return sealed{}, fmt.Errorf("fsync %s: %w", outPath, err)
	}
	return sealed{File{Size: outCount.n, SHA256: hexSum(outHash), RawSize: rawN, RawSHA256: hexSum(rawHash)}}, out.Close()
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
