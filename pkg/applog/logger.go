package applog

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"
)

// Options configures the logger returned by New.
type Options struct {
	// Level is the minimum level written; nil means info. Pass a
	// *slog.LevelVar to change it at run time without a restart.
	Level slog.Leveler

	// Service, Environment and Version are added to every line as
	// service, env and version when set, so Warden can filter by them
	// without parsing the message.
	Service     string
	Environment string
	Version     string

	// AddSource adds the file and line of the log call as source.
	AddSource bool

	// ReplaceAttr, if set, runs after applog's own rewriting of time and
	// level, so it sees the final values (time as an RFC 3339 string,
	// level in lowercase). Use it to redact fields or, in tests, to pin
	// the time; see [slog.HandlerOptions].
	ReplaceAttr func(groups []string, a slog.Attr) slog.Attr
}

// New returns a logger writing one JSON object per line to w.
//
// Lines carry time (RFC 3339 with nanoseconds, in UTC so lines from hosts in
// different zones sort as text), level in lowercase (Warden queries use
// level:=error), msg, and the fields from opts. Records logged with a context
// from Middleware or WithRequestID also carry request_id and user_id; see
// NewContextHandler.
func New(w io.Writer, opts Options) *slog.Logger {
	h := slog.NewJSONHandler(w, &slog.HandlerOptions{
		Level:       opts.Level,
		AddSource:   opts.AddSource,
		ReplaceAttr: replaceAttr(opts.ReplaceAttr),
	})
	var attrs []slog.Attr
	for _, f := range []struct{ key, value string }{
		{"service", opts.Service},
		{"env", opts.Environment},
		{"version", opts.Version},
	} {
		if f.value != "" {
			attrs = append(attrs, slog.String(f.key, f.value))
		}
	}
	var handler slog.Handler = h
	if len(attrs) > 0 {
		handler = h.WithAttrs(attrs)
	}
	return slog.New(NewContextHandler(handler))
}

// replaceAttr rewrites the built-in time and level into Warden's format and
// then hands the attribute to the caller's function, if any.
func replaceAttr(next func([]string, slog.Attr) slog.Attr) func([]string, slog.Attr) slog.Attr {
	return func(groups []string, a slog.Attr) slog.Attr {
		if len(groups) == 0 {
			switch a.Key {
			case slog.TimeKey:
				if a.Value.Kind() == slog.KindTime {
					a.Value = slog.StringValue(a.Value.Time().UTC().Format(time.RFC3339Nano))
				}
			case slog.LevelKey:
				if l, ok := a.Value.Any().(slog.Level); ok {
					a.Value = slog.StringValue(strings.ToLower(l.String()))
				}
			}
		}
		if next != nil {
			a = next(groups, a)
		}
		return a
	}
}

// ParseLevel parses a level name from configuration or a flag: debug, info,
// warn (or warning) and error, in any case. The error names the accepted
// values so a typo in a config file is fixed in one try.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "debug":
		return slog.LevelDebug, nil
	case "info":
		return slog.LevelInfo, nil
	case "warn", "warning":
		return slog.LevelWarn, nil
	case "error":
		return slog.LevelError, nil
	}
	return 0, fmt.Errorf("applog: unknown log level %q: want debug, info, warn or error", s)
}
