package applog_test

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/wardenhq/warden/pkg/applog"
)

func TestNewLineFormat(t *testing.T) {
	var buf bytes.Buffer
	logger := applog.New(&buf, applog.Options{
		Level:       slog.LevelDebug,
		Service:     "payments",
		Environment: "staging",
		Version:     "1.2.3",
	})
	logger.Debug("d")
	logger.Info("i", "k", "v")
	logger.Warn("w")
	logger.Error("e")

	lines := decodeLines(t, buf.String())
	wantLevels := []string{"debug", "info", "warn", "error"}
	if len(lines) != len(wantLevels) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(wantLevels), buf.String())
	}
	for i, l := range lines {
		if l["level"] != wantLevels[i] {
			t.Errorf("line %d: level = %v, want %q", i, l["level"], wantLevels[i])
		}
		ts, _ := l["time"].(string)
		tm, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil || !strings.HasSuffix(ts, "Z") {
			t.Errorf("line %d: time %q is not RFC 3339 in UTC (err %v)", i, ts, err)
		}
		if time.Since(tm) > time.Minute || time.Since(tm) < -time.Minute {
			t.Errorf("line %d: time %v is not now", i, tm)
		}
		for key, want := range map[string]string{"service": "payments", "env": "staging", "version": "1.2.3"} {
			if l[key] != want {
				t.Errorf("line %d: %s = %v, want %q", i, key, l[key], want)
			}
		}
	}
	if lines[1]["msg"] != "i" || lines[1]["k"] != "v" {
		t.Errorf("info line = %v", lines[1])
	}
}

func TestNewOmitsUnsetFields(t *testing.T) {
	var buf bytes.Buffer
	applog.New(&buf, applog.Options{}).Debug("hidden")
	applog.New(&buf, applog.Options{}).Info("shown")
	lines := decodeLines(t, buf.String())
	if len(lines) != 1 {
		t.Fatalf("nil Level should mean info; got %d lines", len(lines))
	}
	for _, key := range []string{"service", "env", "version", "source"} {
		if _, ok := lines[0][key]; ok {
			t.Errorf("unset %s is present: %v", key, lines[0])
		}
	}
}

func TestNewAddSource(t *testing.T) {
	var buf bytes.Buffer
	applog.New(&buf, applog.Options{AddSource: true}).Info("here")
	src, _ := decodeLines(t, buf.String())[0]["source"].(map[string]any)
	if file, _ := src["file"].(string); !strings.HasSuffix(file, "logger_test.go") {
		t.Errorf("source = %v, want this file", src)
	}
}

func TestNewLevelVar(t *testing.T) {
	var buf bytes.Buffer
	var level slog.LevelVar
	level.Set(slog.LevelError)
	logger := applog.New(&buf, applog.Options{Level: &level})
	logger.Info("dropped")
	level.Set(slog.LevelInfo)
	logger.Info("kept")
	if lines := decodeLines(t, buf.String()); len(lines) != 1 || lines[0]["msg"] != "kept" {
		t.Errorf("got %v", lines)
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    slog.Level
		wantErr bool
	}{
		{"debug", slog.LevelDebug, false},
		{"INFO", slog.LevelInfo, false},
		{"Warn", slog.LevelWarn, false},
		{"warning", slog.LevelWarn, false},
		{"WARNING", slog.LevelWarn, false},
		{" error ", slog.LevelError, false},
		{"", 0, true},
		{"fatal", 0, true},
		{"info+2", 0, true},
	}
	for _, tt := range tests {
		got, err := applog.ParseLevel(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseLevel(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil {
			if !strings.Contains(err.Error(), "debug, info, warn or error") {
				t.Errorf("ParseLevel(%q) error %q does not list the accepted values", tt.in, err)
			}
			continue
		}
		if got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
