package backup_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/wardenhq/warden/internal/backup"
)

func TestParseManifest(t *testing.T) {
	b, err := os.ReadFile("testdata/app-20261130T030000Z.manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := backup.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Tables["payments"] != 1000 || m.Files[0].RawSize != 40960 {
		t.Errorf("parsed %+v", m)
	}
	for _, bad := range []string{
		`{}`,
		`{"format":1,"id":"a","target":"a","engine":"oracle","files":[]}`,
		`{"format":1,"id":"a","target":"a","engine":"sqlite","files":[{"name":"../etc/passwd","sha256":"","raw_sha256":""}]}`,
	} {
		if _, err := backup.ParseManifest([]byte(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

// FuzzParseManifest: manifests are read back from a destination anyone
// with bucket access could write to; parsing must never panic, and what
// parses must survive a round trip.
func FuzzParseManifest(f *testing.F) {
	b, err := os.ReadFile("testdata/app-20261130T030000Z.manifest.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"format":1}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := backup.ParseManifest(data)
		if err != nil {
			return
		}
		m2, err := backup.ParseManifest(m.Marshal())
		if err != nil {
			t.Fatalf("round trip: %v", err)
		}
		if !bytes.Equal(m.Marshal(), m2.Marshal()) {
			t.Fatal("round trip changed the manifest")
		}
	})
}
