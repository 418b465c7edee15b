package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sync"
	"time"
)

// Publisher keeps a copy of every checkpoint outside the database. Without
// one, deleting the newest events together with their checkpoints, or
// rewriting the whole trail, could not be detected.
type Publisher interface {
	Name() string
	Publish(ctx context.Context, cp Checkpoint) error
}

// FilePublisher appends checkpoints as JSON lines to a file, fsync'd. Put it
// on storage the database's administrators cannot rewrite, or ship it on.
type FilePublisher struct {
	Path string
	mu   sync.Mutex
}

// Name implements Publisher.
func (p *FilePublisher) Name() string { return "file " + p.Path }

// Publish implements Publisher.
func (p *FilePublisher) Publish(_ context.Context, cp Checkpoint) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	f, err := os.OpenFile(p.Path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(cp.JSON(), '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadCheckpointFile reads a published file. A missing file gives no
// checkpoints and no error; a line that is not a checkpoint is an error
// naming the line.
func ReadCheckpointFile(path string) ([]Checkpoint, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Checkpoint
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for line := 1; sc.Scan(); line++ {
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var cp Checkpoint
		if err := json.Unmarshal(sc.Bytes(), &cp); err != nil {
			return out, fmt.Errorf("%s:%d: not a checkpoint: %w", path, line, err)
		}
		out = append(out, cp)
	}
	if err := sc.Err(); err != nil {
		return out, fmt.Errorf("%s: %w", path, err)
	}
	return out, nil
}

// WebhookPublisher POSTs each checkpoint as JSON to a URL (a transparency
// service, another team's bucket, a chat channel).
type WebhookPublisher struct {
	URL    string
	Client *http.Client
}

// Name implements Publisher.
func (p *WebhookPublisher) Name() string { return "webhook" }

// Publish implements Publisher.
func (p *WebhookPublisher) Publish(ctx context.Context, cp Checkpoint) error {
	client := p.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.URL, bytes.NewReader(cp.JSON()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("webhook answered %s", resp.Status)
	}
	return nil
}
