package envelope

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/klauspost/compress/zstd"
)

func encode(t testing.TB, coding string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w io.WriteCloser
	switch coding {
	case "gzip":
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	case "zlib":
		w, _ = zlib.NewWriterLevel(&buf, zlib.BestSpeed)
	case "raw":
		w, _ = flate.NewWriter(&buf, flate.BestSpeed)
	case "br":
		w = brotli.NewWriterLevel(&buf, brotli.BestSpeed)
	case "zstd":
		w, _ = zstd.NewWriter(&buf, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	default:
		return data
	}
	w.Write(data)
	w.Close()
	return buf.Bytes()
}

func TestDecode(t *testing.T) {
	data := bytes.Repeat([]byte(`{"message":"hello"}`+"\n"), 100)
	for _, tc := range []struct{ header, coding string }{
		{"", "identity"},
		{"identity", "identity"},
		{"gzip", "gzip"},
		{"x-gzip", "gzip"},
		{"", "gzip"}, // sniffed
		{"deflate", "zlib"},
		{"deflate", "raw"},
		{"br", "br"},
		{"zstd", "zstd"},
		{"GZIP", "gzip"},
	} {
		t.Run(tc.header+"/"+tc.coding, func(t *testing.T) {
			got, err := Decode(bytes.NewReader(encode(t, tc.coding, data)), tc.header, 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, data) {
				t.Fatalf("decoded %d bytes, want %d", len(got), len(data))
			}
		})
	}
	t.Run("chain", func(t *testing.T) {
		got, err := Decode(bytes.NewReader(encode(t, "br", encode(t, "gzip", data))), "gzip, br", 1<<20)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%v", err)
		}
	})
}

// TestDecodeRefusesBombs checks that the cap applies to decoded bytes: 64
// MiB of zeros compress to a few KiB and must stop at the 1 MiB cap.
func TestDecodeRefusesBombs(t *testing.T) {
	zeros := make([]byte, 8<<20)
	for _, coding := range []struct{ header, enc string }{{"gzip", "gzip"}, {"deflate", "zlib"}, {"deflate", "raw"}, {"br", "br"}, {"zstd", "zstd"}} {
		bomb := encode(t, coding.enc, zeros)
		if len(bomb) > 256<<10 {
			t.Fatalf("%s bomb is %d bytes, not a bomb", coding.enc, len(bomb))
		}
		_, err := Decode(bytes.NewReader(bomb), coding.header, 256<<10)
		var tooBig *TooLargeError
		if !errors.As(err, &tooBig) {
			t.Errorf("%s: err = %v, want TooLargeError", coding.enc, err)
		}
	}
	if _, err := Decode(bytes.NewReader(make([]byte, 2<<20)), "", 1<<20); err == nil {
		t.Error("plain body over the cap accepted")
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ header, body, want string }{
		{"gzip", "not gzip", "not valid gzip"},
		{"br", "\xff\xff\xff", "not valid br"},
		{"zstd", "nope", "not valid zstd"},
		{"deflate", "\xff\xff", "not valid deflate"},
		{"compress", "x", "unsupported Content-Encoding"},
	} {
		_, err := Decode(strings.NewReader(tc.body), tc.header, 1<<20)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.header, err, tc.want)
		}
	}
}
