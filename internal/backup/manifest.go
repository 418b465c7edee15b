package backup

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ManifestFormat is the version of the manifest layout.
const ManifestFormat = 1

// Manifest describes one backup. It is stored beside the artifact as
// <id>.manifest.json and in the catalog; verification trusts the catalog's
// copy and reads the destination's only when the catalog has none (a lost
// Warden database).
type Manifest struct {
	Format     int       `json:"format"`
	ID         string    `json:"id"`
	Target     string    `json:"target"`
	Engine     string    `json:"engine"`
	Source     string    `json:"source"`
	CreatedAt  time.Time `json:"created_at"`
	SnapshotAt time.Time `json:"snapshot_at"`
	DurationMS int64     `json:"duration_ms"`
	// StagesMS splits the duration: dump, seal (compress and encrypt, with
	// row counting alongside), store.
	StagesMS    map[string]int64  `json:"stages_ms,omitempty"`
	Compression string            `json:"compression"`
	Encryption  string            `json:"encryption,omitempty"` // "age" or empty
	Recipients  []string          `json:"recipients,omitempty"`
	Files       []File            `json:"files"`
	Tables      map[string]int64  `json:"tables"`
	Tools       map[string]string `json:"tools"`
}

// File is one stored file of a backup with its checksums: of the bytes as
// stored (compressed, encrypted) and of the raw dump inside.
type File struct {
	Name      string `json:"name"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	RawSize   int64  `json:"raw_size"`
	RawSHA256 string `json:"raw_sha256"`
}

// ManifestName is the object name of a backup's manifest.
func ManifestName(id string) string { return id + ".manifest.json" }

// Artifact returns the manifest's data file.
func (m *Manifest) Artifact() (File, error) {
	if len(m.Files) == 0 {
		return File{}, fmt.Errorf("manifest %s lists no files", m.ID)
	}
	return m.Files[0], nil
}

// TableNames returns the table names in order.
func (m *Manifest) TableNames() []string { return sortedKeys(m.Tables) }

// ParseManifest reads a manifest and checks the fields verification needs.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("manifest: %w", err)
	}
	switch {
	case m.Format != ManifestFormat:
		return nil, fmt.Errorf("manifest: format %d is not %d (made by a newer Warden?)", m.Format, ManifestFormat)
	case m.ID == "" || m.Target == "":
		return nil, fmt.Errorf("manifest: id and target must be set")
	case m.Engine != EngineSQLite && m.Engine != EnginePostgres:
		return nil, fmt.Errorf("manifest: engine %q is not sqlite or postgres", m.Engine)
	case len(m.Files) == 0:
		return nil, fmt.Errorf("manifest %s: lists no files", m.ID)
	}
	for i, f := range m.Files {
		if f.Name == "" || strings.ContainsAny(f.Name, "/\\") || f.Name == "." || f.Name == ".." {
			return nil, fmt.Errorf("manifest %s: files[%d]: %q is not a plain file name", m.ID, i, f.Name)
		}
		if len(f.SHA256) != 64 || len(f.RawSHA256) != 64 || f.Size < 0 || f.RawSize < 0 {
			return nil, fmt.Errorf("manifest %s: files[%d]: sizes and SHA-256 sums are missing or malformed", m.ID, i)
		}
	}
	return &m, nil
}

// Marshal encodes the manifest as indented JSON.
func (m *Manifest) Marshal() []byte {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		panic(err) // plain data
	}
	return append(b, '\n')
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TableCheck compares one table's row count with the manifest.
type TableCheck struct {
	Table string `json:"table"`
	Want  int64  `json:"want"`
	Got   int64  `json:"got"`
	OK    bool   `json:"ok"`
}

// reconcile compares counts found in a restored copy with the manifest's.
// Every table of either side appears once.
func reconcile(want, got map[string]int64) ([]TableCheck, error) {
	names := map[string]bool{}
	for k := range want {
		names[k] = true
	}
	for k := range got {
		names[k] = true
	}
	var out []TableCheck
	var bad []string
	for _, n := range sortedKeys(names) {
		w, inW := want[n]
		g, inG := got[n]
		c := TableCheck{Table: n, Want: w, Got: g, OK: inW && inG && w == g}
		if !inW {
			c.Want = -1
		}
		if !inG {
			c.Got = -1
		}
		out = append(out, c)
		if !c.OK {
			switch {
			case !inG:
				bad = append(bad, fmt.Sprintf("%s: missing from the restored copy (manifest says %d rows)", n, w))
			case !inW:
				bad = append(bad, fmt.Sprintf("%s: in the restored copy but not in the manifest", n))
			default:
				bad = append(bad, fmt.Sprintf("%s: %d rows restored, manifest says %d", n, g, w))
			}
		}
	}
	if len(bad) > 0 {
		return out, fmt.Errorf("row counts differ from the manifest: %s", strings.Join(bad, "; "))
	}
	return out, nil
}
