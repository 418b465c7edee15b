package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/wardenhq/warden/internal/logs/ingest"
	"github.com/wardenhq/warden/internal/logs/logclient"
)

type runCommand struct{}

const runSynopsis = "warden run [--service S] [--env E] [--url U] [--config F] -- CMD ARGS..."

// forwarded are the signals passed on to the child, so that a supervisor
// stopping `warden run` stops the app the same way.
var forwarded = []os.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT, syscall.SIGUSR1, syscall.SIGUSR2}

// exitCodeError makes warden exit with the child's status.
type exitCodeError struct{ code int }

func (e *exitCodeError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

// Run starts CMD, copies its stdout and stderr through, ships every line to
// the logs API and exits with CMD's status.
func (c *runCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("run", runSynopsis, e)
	cf := newClientFlags(fs)
	service := fs.String("service", "", "service name for the lines (default: the command's name)")
	envName := fs.String("env", "", "environment (default: the server's)")
	if err := parseFlags(fs, args, runSynopsis); err != nil {
		return err
	}
	argv := fs.Args()
	if len(argv) == 0 {
		return usagef("run needs a command after --\nusage: %s", runSynopsis)
	}
	client, err := cf.client(e)
	if err != nil {
		return err
	}
	if *service == "" {
		*service = baseName(argv[0])
	}
	b := &logclient.Batcher{Client: client, Env: *envName, Service: *service,
		OnError: func(err error) { fmt.Fprintln(e.stderr, "warden run: shipping logs:", err) }}

	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdin = e.stdin
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwarded...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", argv[0], err)
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	var wg sync.WaitGroup
	wg.Add(2)
	go pump(&wg, stdout, e.stdout, "stdout", b)
	go pump(&wg, stderr, e.stderr, "stderr", b)
	wg.Wait() // the pipes close when the child (and its children) exit
	waitErr := cmd.Wait()

	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, dropped := b.Close(sctx); dropped > 0 {
		fmt.Fprintf(e.stderr, "warden run: %d lines could not be shipped\n", dropped)
	}
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		code := ee.ExitCode()
		if code < 0 { // killed by a signal
			code = 128 + int(ee.Sys().(syscall.WaitStatus).Signal())
		}
		return &exitCodeError{code}
	}
	return waitErr
}

// pump copies lines to out and ships each one: JSON lines as they are,
// other lines as {"_msg": line, "stream": name} stamped now.
func pump(wg *sync.WaitGroup, r io.Reader, out io.Writer, stream string, b *logclient.Batcher) {
	defer wg.Done()
	br := bufio.NewReaderSize(r, 64<<10)
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			out.Write(line)
			ship(line, stream, b)
		}
		if err != nil {
			return
		}
	}
}

func ship(line []byte, stream string, b *logclient.Batcher) {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	if len(line) == 0 {
		return
	}
	if len(line) > ingest.MaxLine-1024 {
		line = line[:ingest.MaxLine-1024]
	}
	if line[0] == '{' && json.Valid(line) {
		b.Add(line)
		return
	}
	enc, _ := json.Marshal(map[string]string{"_msg": string(line), "stream": stream, "_time": time.Now().UTC().Format(time.RFC3339Nano)})
	b.Add(enc)
}

func baseName(p string) string {
	for i := len(p) - 1; i >= 0; i-- {
		if p[i] == '/' {
			return p[i+1:]
		}
	}
	return p
}
