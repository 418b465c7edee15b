package dest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/wardenhq/warden/internal/backup"
)

// S3Options configure an S3-compatible destination.
type S3Options struct {
	// Endpoint is host[:port] (s3.amazonaws.com for AWS).
	Endpoint        string
	Region          string
	AccessKeyID     string
	SecretAccessKey string
	// Insecure talks plain HTTP (a store on loopback).
	Insecure bool
	// Bucket and Prefix say where objects go: s3://Bucket/Prefix/name.
	Bucket, Prefix string
	// PartSize is the multipart part size; objects larger than one part
	// are uploaded in parts, each retried on its own by minio-go.
	PartSize uint64
	// Attempts is how many times a whole upload is tried (default 3).
	Attempts int
	// Backoff is the wait before the second attempt, doubled after (default 2s).
	Backoff time.Duration
	// Transport overrides the HTTP transport (tests inject faults with it).
	Transport http.RoundTripper
}

// S3 keeps artifacts in an S3-compatible bucket through minio-go.
type S3 struct {
	client *minio.Client
	opts   S3Options
}

var _ backup.Destination = (*S3)(nil)

// ParseS3URL splits s3://bucket/prefix.
func ParseS3URL(u string) (bucket, prefix string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		return "", "", fmt.Errorf("%q is not s3://bucket/prefix", u)
	}
	bucket, prefix, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", u)
	}
	return bucket, strings.Trim(prefix, "/"), nil
}

// NewS3 returns an S3 destination; it does not contact the store.
func NewS3(opts S3Options) (*S3, error) {
	if opts.Endpoint == "" {
		opts.Endpoint = "s3.amazonaws.com"
	}
	if opts.PartSize == 0 {
		opts.PartSize = 16 << 20
	}
	if opts.Attempts <= 0 {
		opts.Attempts = 3
	}
	if opts.Backoff <= 0 {
		opts.Backoff = 2 * time.Second
	}
	c, err := minio.New(opts.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(opts.AccessKeyID, opts.SecretAccessKey, ""),
		Secure:     !opts.Insecure,
		Region:     opts.Region,
		Transport:  opts.Transport,
		MaxRetries: 5,
	})
	if err != nil {
		return nil, fmt.Errorf("s3 endpoint %s: %w", opts.Endpoint, err)
	}
	return &S3{client: c, opts: opts}, nil
}

// String implements backup.Destination.
func (s *S3) String() string {
	if s.opts.Prefix == "" {
		return "s3://" + s.opts.Bucket
	}
	return "s3://" + s.opts.Bucket + "/" + s.opts.Prefix
}

func (s *S3) key(name string) string {
	if s.opts.Prefix == "" {
		return name
	}
	return s.opts.Prefix + "/" + name
}

// Put implements backup.Destination. An upload that fails as a whole is
// retried with backoff when r can be rewound (an *os.File can).
func (s *S3) Put(ctx context.Context, name string, r io.Reader, size int64) error {
	seeker, canRetry := r.(io.Seeker)
	wait := s.opts.Backoff
	var err error
	for attempt := 1; attempt <= s.opts.Attempts; attempt++ {
		if attempt > 1 {
			if !canRetry {
				break
			}
			if _, serr := seeker.Seek(0, io.SeekStart); serr != nil {
				return errors.Join(err, serr)
			}
			select {
			case <-ctx.Done():
				return errors.Join(err, ctx.Err())
			case <-time.After(wait):
			}
			wait *= 2
		}
		_, err = s.client.PutObject(ctx, s.opts.Bucket, s.key(name), r, size, minio.PutObjectOptions{
			PartSize: s.opts.PartSize, ContentType: "application/octet-stream",
			// The store checks each part against its MD5: a part damaged in
			// transit is refused and retried rather than stored.
			SendContentMd5: true,
			// Unsigned payload, as minio-go already sends over TLS: over plain
			// HTTP it would otherwise use aws-chunked streaming signatures,
			// which some S3-compatible stores (gofakes3 among them) store
			// undecoded. Content-MD5 above still guards every part, and the
			// manifest's SHA-256 is checked on every read.
			DisableContentSha256: true,
		})
		if err == nil || ctx.Err() != nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("upload s3://%s/%s: %w", s.opts.Bucket, s.key(name), err)
	}
	return nil
}

// Open implements backup.Destination.
func (s *S3) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	obj, err := s.client.GetObject(ctx, s.opts.Bucket, s.key(name), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if minio.ToErrorResponse(err).Code == "NoSuchKey" {
			return nil, fmt.Errorf("s3://%s/%s: %w", s.opts.Bucket, s.key(name), backup.ErrNotFound)
		}
		return nil, err
	}
	return obj, nil
}

// Delete implements backup.Destination.
func (s *S3) Delete(ctx context.Context, name string) error {
	return s.client.RemoveObject(ctx, s.opts.Bucket, s.key(name), minio.RemoveObjectOptions{})
}

// List implements backup.Destination.
func (s *S3) List(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	for obj := range s.client.ListObjects(ctx, s.opts.Bucket, minio.ListObjectsOptions{Prefix: s.key(prefix), Recursive: true}) {
		if obj.Err != nil {
			return nil, obj.Err
		}
		out = append(out, path.Base(obj.Key))
	}
	sort.Strings(out)
	return out, nil
}
