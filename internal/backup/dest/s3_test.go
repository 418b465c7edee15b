package dest_test

// These tests run minio-go against S3 servers, and the test names say
// which: *Gofakes3 against gofakes3, an in-process fake (a well-known Go
// implementation of the S3 API over memory), always; *RealServer against
// a real S3-compatible server on loopback named by WARDEN_TEST_S3_URL
// (s3_real_test.go), when one is running. The same bodies run on both.
// Failures are injected in front of either by the flaky transport.

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	_ "modernc.org/sqlite"

	"github.com/wardenhq/warden/internal/backup"
	"github.com/wardenhq/warden/internal/backup/backupsql"
	"github.com/wardenhq/warden/internal/backup/dest"
	"github.com/wardenhq/warden/internal/backup/sqlitesrc"
	"github.com/wardenhq/warden/internal/store/storetest"
)

// flaky fails the first failures PUT requests with 503 Slow Down, as S3
// does under load, and counts multipart part uploads.
type flaky struct {
	mu       sync.Mutex
	failures int
	failed   int
	parts    int
	next     http.RoundTripper
}

func (f *flaky) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") {
		f.parts++
	}
	if r.Method == http.MethodPut && f.failed < f.failures {
		f.failed++
		f.mu.Unlock()
		if r.Body != nil {
			io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Slow Down", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
	}
	f.mu.Unlock()
	return f.next.RoundTrip(r)
}

// uniqueBucket adds a random suffix: a real server outlives one test.
func uniqueBucket(base string) string {
	b := make([]byte, 4)
	rand.Read(b)
	return base + "-" + hex.EncodeToString(b)
}

// newS3 makes a destination on a server with a fresh bucket, its HTTP
// traffic going through tr.
type newS3 func(t *testing.T, tr *flaky, bucket, prefix string) *dest.S3

func fakeS3(t *testing.T, tr *flaky, bucket, prefix string) *dest.S3 {
	t.Helper()
	be := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(be).Server())
	t.Cleanup(srv.Close)
	if err := be.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	tr.next = http.DefaultTransport
	s, err := dest.NewS3(dest.S3Options{
		Endpoint: strings.TrimPrefix(srv.URL, "http://"), Region: "us-east-1", AccessKeyID: "test", SecretAccessKey: "testsecret",
		Insecure: true, Bucket: bucket, Prefix: prefix, PartSize: 5 << 20, Transport: tr, Backoff: 1,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestS3DestinationGofakes3(t *testing.T) { testS3Destination(t, fakeS3, "backups") }

// testS3Destination: a multipart upload through injected 503s, read back,
// list, delete.
func testS3Destination(t *testing.T, mk newS3, bucket string) {
	bucket = uniqueBucket(bucket)
	tr := &flaky{failures: 2}
	s := mk(t, tr, bucket, "prod/app")
	if s.String() != "s3://"+bucket+"/prod/app" {
		t.Errorf("String() = %s", s)
	}
	ctx := context.Background()
	big := make([]byte, 12<<20) // three parts of 5 MiB: a multipart upload
	rand.Read(big)
	if err := s.Put(ctx, "a.bin", bytes.NewReader(big), int64(len(big))); err != nil {
		t.Fatal(err)
	}
	if tr.failed != 2 {
		t.Errorf("injected %d failures", tr.failed)
	}
	if tr.parts < 3 {
		t.Errorf("uploaded in %d parts; want a multipart upload", tr.parts)
	}
	rc, err := s.Open(ctx, "a.bin")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, big) {
		t.Fatalf("read back %d bytes, differing", len(got))
	}
	if err := s.Put(ctx, "b.manifest.json", strings.NewReader("{}"), 2); err != nil {
		t.Fatal(err)
	}
	names, err := s.List(ctx, "")
	if err != nil || strings.Join(names, ",") != "a.bin,b.manifest.json" {
		t.Errorf("List = %v, %v", names, err)
	}
	if err := s.Delete(ctx, "a.bin"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Open(ctx, "a.bin"); !errors.Is(err, backup.ErrNotFound) {
		t.Errorf("Open after Delete: %v", err)
	}
}

// TestS3BackupVerifyRestoreGofakes3 runs a whole backup through S3: upload
// with injected failures, verification reading it back, restore.
func TestS3BackupVerifyRestoreGofakes3(t *testing.T) { testS3BackupVerifyRestore(t, fakeS3, "bkp") }

func testS3BackupVerifyRestore(t *testing.T, mk newS3, bucket string) {
	bucket = uniqueBucket(bucket)
	dir := t.TempDir()
	src := filepath.Join(dir, "app.db")
	db, err := sql.Open("sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec(`CREATE TABLE blobs (id INTEGER PRIMARY KEY, b BLOB)`)
	for i := 0; i < 8; i++ { // ~8 MiB of incompressible rows: more than one part
		b := make([]byte, 1<<20)
		rand.Read(b)
		if _, err := db.Exec(`INSERT INTO blobs (b) VALUES (?)`, b); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	tr := &flaky{failures: 1}
	target := &backup.Target{Name: "app", Source: &sqlitesrc.Source{Path: src, WorkDir: dir}, Dest: mk(t, tr, bucket, ""), Verify: true}
	mgr, err := backup.New(backup.Options{Targets: []*backup.Target{target}, Catalog: backupsql.New(storetest.SQLite(t, backupsql.Migrations)),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	rec, err := mgr.Run(ctx, "app", backup.TriggerManual, nil)
	if err != nil || rec.VerifyStatus != backup.VerifyPassed {
		t.Fatalf("backup to S3: %v %+v", err, rec)
	}
	if rec.Destination != "s3://"+bucket || tr.parts < 2 {
		t.Errorf("destination %s, %d parts", rec.Destination, tr.parts)
	}
	to := filepath.Join(dir, "restored.db")
	if _, err := mgr.Restore(ctx, "app", "latest", to, false, nil); err != nil {
		t.Fatal(err)
	}
	insp, err := target.Source.Inspect(ctx, to)
	if err != nil || insp.Integrity != "ok" || insp.Tables["blobs"] != 8 {
		t.Errorf("restored copy: %+v %v", insp, err)
	}
}
