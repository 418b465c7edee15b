package dest_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"testing"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/wardenhq/warden/internal/backup/dest"
)

// realS3 connects to the real S3-compatible server WARDEN_TEST_S3_URL names
// (http://ACCESS_KEY:SECRET_KEY@127.0.0.1:PORT), creates a fresh bucket for
// the test and removes it after. Without the variable the test is skipped,
// saying so; CI that starts a server must set it.
func realS3(t *testing.T) newS3 {
	t.Helper()
	raw := os.Getenv("WARDEN_TEST_S3_URL")
	if raw == "" {
		if os.Getenv("CI") != "" && os.Getenv("WARDEN_TEST_S3_REQUIRED") != "" {
			t.Fatal("WARDEN_TEST_S3_REQUIRED is set but WARDEN_TEST_S3_URL is not")
		}
		t.Skip("no real S3-compatible server: set WARDEN_TEST_S3_URL=http://KEY:SECRET@127.0.0.1:PORT to run this test against one (the *Gofakes3 tests ran against the in-process fake)")
	}
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		t.Fatalf("WARDEN_TEST_S3_URL %q is not http://KEY:SECRET@HOST:PORT", raw)
	}
	key := u.User.Username()
	secret, _ := u.User.Password()
	return func(t *testing.T, tr *flaky, bucket, prefix string) *dest.S3 {
		t.Helper()
		admin, err := minio.New(u.Host, &minio.Options{Creds: credentials.NewStaticV4(key, secret, ""), Secure: u.Scheme == "https", Region: "us-east-1"})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := admin.MakeBucket(ctx, bucket, minio.MakeBucketOptions{Region: "us-east-1"}); err != nil {
			t.Fatalf("create bucket %s on %s: %v", bucket, u.Host, err)
		}
		t.Cleanup(func() {
			for obj := range admin.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
				if obj.Err == nil {
					admin.RemoveObject(ctx, bucket, obj.Key, minio.RemoveObjectOptions{})
				}
			}
			admin.RemoveBucket(ctx, bucket)
		})
		tr.next = http.DefaultTransport
		s, err := dest.NewS3(dest.S3Options{
			Endpoint: u.Host, Region: "us-east-1", AccessKeyID: key, SecretAccessKey: secret,
			Insecure: u.Scheme != "https", Bucket: bucket, Prefix: prefix, PartSize: 5 << 20, Transport: tr, Backoff: 1,
		})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
}

// TestS3DestinationRealServer: uploads (multipart), retries after injected
// 503s, read back, list and delete against a real S3-compatible server.
func TestS3DestinationRealServer(t *testing.T) {
	testS3Destination(t, realS3(t), "backups")
}

// TestS3BackupVerifyRestoreRealServer: a whole backup stored on, verified
// from and restored from a real S3-compatible server.
func TestS3BackupVerifyRestoreRealServer(t *testing.T) {
	testS3BackupVerifyRestore(t, realS3(t), "bkp")
}
