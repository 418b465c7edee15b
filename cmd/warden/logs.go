package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/wardenhq/warden/internal/logs/ingest"
	"github.com/wardenhq/warden/internal/logs/logclient"
	"github.com/wardenhq/warden/internal/logs/logql"
)

const logsUsage = `usage:
  warden logs query 'QUERY' [--since 1h] [--json] [--limit N]   search logs (LogsQL subset)
  warden logs ingest [--service S] [--env E]                    ship JSON lines (or text) from stdin

Both talk to a running warden serve: --url (default: the config's listen
address) with the token in WARDEN_TOKEN (scope read for query, ingest for
ingest).`

func runLogs(ctx context.Context, args []string, e env) error {
	return dispatch(ctx, "logs", logsUsage, map[string]subcommand{
		"query":  logsQuery,
		"ingest": logsIngest,
	}, args, e)
}

// clientFlags registers --config and --url; client builds the API client.
type clientFlags struct {
	fs     *flag.FlagSet
	config *string
	url    *string
}

func newClientFlags(fs *flag.FlagSet) *clientFlags {
	return &clientFlags{fs: fs, config: configFlag(fs), url: fs.String("url", "", "Warden API URL (default: http:// + the config's listen address)")}
}

func (c *clientFlags) client(e env) (*logclient.Client, error) {
	u := *c.url
	if u == "" {
		cfg, err := loadConfig(*c.config, configGiven(c.fs), e)
		if err != nil {
			return nil, err
		}
		host, port, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("listen: %w", err)
		}
		if host == "" || host == "0.0.0.0" || host == "::" {
			host = "127.0.0.1"
		}
		u = "http://" + net.JoinHostPort(host, port)
	}
	tok, _ := e.getenv("WARDEN_TOKEN")
	if tok == "" {
		return nil, usagef("set WARDEN_TOKEN to an API token (scope read to query, ingest to ship)")
	}
	return &logclient.Client{URL: u, Token: tok}, nil
}

// interleave lets flags follow the positional query, as in the usage.
func interleave(args []string) (flags, positional []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			positional = append(positional, args[i+1:]...)
			return
		case strings.HasPrefix(a, "-") && len(a) > 1:
			flags = append(flags, a)
			name := strings.TrimLeft(a, "-")
			if !strings.Contains(name, "=") && name != "json" && i+1 < len(args) {
				flags = append(flags, args[i+1])
				i++
			}
		default:
			positional = append(positional, a)
		}
	}
	return
}

func logsQuery(ctx context.Context, args []string, e env) error {
	const synopsis = "warden logs query 'QUERY' [--since 1h] [--json] [--limit N] [--url U] [--config F]"
	fs := newFlagSet("logs query", synopsis, e)
	cf := newClientFlags(fs)
	since := fs.String("since", "", "only lines newer than this (5m, 1h, 7d) or since an RFC 3339 time")
	asJSON := fs.Bool("json", false, "print one JSON object per line")
	limit := fs.Int("limit", 0, "rows to print for queries without their own limit (default 1000)")
	flags, pos := interleave(args)
	if err := parseFlags(fs, flags, synopsis); err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("logs query needs one query, quoted\nusage: %s", synopsis)
	}
	c, err := cf.client(e)
	if err != nil {
		return err
	}
	res, err := c.Query(ctx, pos[0], *since, "", *limit)
	if err != nil {
		var ae *logclient.APIError
		if errors.As(err, &ae) {
			return fmt.Errorf("%s", ae.Msg)
		}
		return err
	}
	if *asJSON {
		numeric := statsResults(pos[0])
		for _, r := range res.Rows {
			var b bytes.Buffer
			b.WriteByte('{')
			for i, f := range r {
				if i > 0 {
					b.WriteByte(',')
				}
				k, _ := json.Marshal(f.Name)
				b.Write(k)
				b.WriteByte(':')
				writeJSONValue(&b, f.Value, numeric[f.Name])
			}
			b.WriteString("}\n")
			e.stdout.Write(b.Bytes())
		}
		return nil
	}
	printRows(e.stdout, res.Rows)
	fmt.Fprintf(e.stderr, "%d rows in %.1f ms\n", res.Count, res.TookMS)
	return nil
}

// statsResults names the columns the query's last stats pipe computes
// (count, sum, avg, quantile...): the API sends every value as a string, as
// VictoriaLogs does, and --json prints these as JSON numbers. A query that
// does not parse here (the server accepted it) has none.
func statsResults(query string) map[string]bool {
	q, err := logql.Parse(query)
	if err != nil {
		return nil
	}
	var out map[string]bool
	for _, p := range q.Pipes {
		if s, ok := p.(*logql.StatsPipe); ok {
			out = map[string]bool{}
			for _, f := range s.Funcs {
				out[f.Name] = true
			}
		}
	}
	return out
}

// writeJSONValue writes v as a JSON number when numeric is set and v is a
// finite number, and as a JSON string otherwise (an empty group's avg, NaN).
func writeJSONValue(b *bytes.Buffer, v string, numeric bool) {
	if numeric {
		if x, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(x, 0) && !math.IsNaN(x) {
			if json.Valid([]byte(v)) {
				b.WriteString(v)
			} else { // "+5", "0x10", ".5": valid for ParseFloat, not for JSON
				b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
			}
			return
		}
	}
	enc, _ := json.Marshal(v)
	b.Write(enc)
}

// printRows prints a table when every row has the same fields (stats,
// fields), and otherwise one line per record: time, message, then k=v.
func printRows(w io.Writer, rows []logclient.Row) {
	if len(rows) == 0 {
		return
	}
	same := true
	for _, r := range rows[1:] {
		if len(r) != len(rows[0]) {
			same = false
			break
		}
		for i := range r {
			if r[i].Name != rows[0][i].Name {
				same = false
			}
		}
	}
	if same {
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for i, f := range rows[0] {
			if i > 0 {
				fmt.Fprint(tw, "\t")
			}
			fmt.Fprint(tw, strings.ToUpper(f.Name))
		}
		fmt.Fprintln(tw)
		for _, r := range rows {
			for i, f := range r {
				if i > 0 {
					fmt.Fprint(tw, "\t")
				}
				fmt.Fprint(tw, oneLine(f.Value))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
		return
	}
	for _, r := range rows {
		var b strings.Builder
		var t, msg string
		for _, f := range r {
			switch f.Name {
			case "_time":
				t = f.Value
			case "_msg":
				msg = f.Value
			default:
				b.WriteString(" " + f.Name + "=" + quoteIfSpace(f.Value))
			}
		}
		fmt.Fprintf(w, "%s  %s %s\n", t, oneLine(msg), strings.TrimSpace(b.String()))
	}
}

func oneLine(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\n", `\n`), "\t", " ")
}

func quoteIfSpace(s string) string {
	if strings.ContainsAny(s, " \t\n\"") {
		return strconv.Quote(s)
	}
	return s
}

func logsIngest(ctx context.Context, args []string, e env) error {
	const synopsis = "warden logs ingest [--service S] [--env E] [--url U] [--config F] < app.log"
	fs := newFlagSet("logs ingest", synopsis, e)
	cf := newClientFlags(fs)
	service := fs.String("service", "", "service of lines that do not name one")
	envName := fs.String("env", "", "environment (default: the server's)")
	batchLines := fs.Int("batch", 5000, "lines per request")
	if err := parseFlags(fs, args, synopsis); err != nil {
		return err
	}
	if err := noArgs(fs, synopsis); err != nil {
		return err
	}
	c, err := cf.client(e)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(e.stdin)
	sc.Buffer(make([]byte, 64<<10), ingest.MaxLine)
	var batch bytes.Buffer
	n, first, total := 0, 1, 0
	ship := func() error {
		if n == 0 {
			return nil
		}
		got, err := c.Ship(ctx, *envName, *service, batch.Bytes())
		if err != nil {
			var ae *logclient.APIError
			if errors.As(err, &ae) && strings.HasPrefix(ae.Field, "line ") {
				if k, perr := strconv.Atoi(strings.TrimPrefix(ae.Field, "line ")); perr == nil {
					return fmt.Errorf("stdin:%d: %s (lines %d and later were not shipped)", first+k-1, ae.Msg, first)
				}
			}
			return fmt.Errorf("ship lines %d-%d: %w", first, first+n-1, err)
		}
		total += got
		first += n
		n = 0
		batch.Reset()
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		batch.Write(sc.Bytes())
		batch.WriteByte('\n')
		n++
		if n >= *batchLines || batch.Len() >= 4<<20 {
			if err := ship(); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "\rshipped %d lines", total)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("stdin:%d: %w", line+1, err)
	}
	if err := ship(); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "\rshipped %d lines\n", total)
	return nil
}
