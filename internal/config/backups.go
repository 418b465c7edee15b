package config

import (
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/wardenhq/warden/internal/schedule"
)

// BuiltinBackup names the built-in target that backs up Warden's own state
// (its SQLite file or its PostgreSQL database, the audit trail included).
// It always exists; a backups entry with this name and no sqlite or
// postgres source changes its settings.
const BuiltinBackup = "warden"

// ScheduleManual is a schedule that never fires: the target is backed up
// only when asked (CLI or API).
const ScheduleManual = "manual"

// Backup is one backup target: a database, when to back it up, where to
// keep the backups and for how long.
type Backup struct {
	Name string `yaml:"name"`
	// SQLite is the path of a SQLite database file; Postgres a postgres://
	// URL. Exactly one is set, except on the built-in "warden" target.
	SQLite   string `yaml:"sqlite"`
	Postgres Secret `yaml:"postgres"`
	// Schedule is a cron expression (UTC), e.g. "0 3 * * *", or "manual".
	Schedule string `yaml:"schedule"`
	// Destination is a directory, or s3://bucket/prefix with S3 set.
	Destination string     `yaml:"destination"`
	S3          BackupS3   `yaml:"s3"`
	Keep        BackupKeep `yaml:"keep"`
	// MaxAge raises a BackupStale alert when the newest good backup is
	// older (default 26h).
	MaxAge Duration `yaml:"max_age"`
	// Compression is the zstd level: fastest (default), default or better.
	Compression string           `yaml:"compression"`
	Encryption  BackupEncryption `yaml:"encryption"`
	// Verify restores every backup into a scratch location right after it
	// is taken (default true).
	Verify *bool `yaml:"verify"`
	// ScratchURL is the PostgreSQL server where verification creates and
	// drops scratch databases (default: the source's server).
	ScratchURL Secret `yaml:"scratch_url"`
	// PGBinDir holds pg_dump and pg_restore (default: the newest
	// /usr/lib/postgresql/*/bin, else PATH).
	PGBinDir string `yaml:"pg_bin_dir"`
	// Timeout bounds one backup with its verification (default 6h).
	Timeout Duration `yaml:"timeout"`
}

// BackupKeep is the retention policy (restic's keep-last/daily/weekly/
// monthly). The newest verified backup is never deleted.
type BackupKeep struct {
	Last    int `yaml:"last"`
	Daily   int `yaml:"daily"`
	Weekly  int `yaml:"weekly"`
	Monthly int `yaml:"monthly"`
}

// BackupEncryption encrypts artifacts to age recipients.
type BackupEncryption struct {
	// Recipients are age public keys (age1...).
	Recipients []string `yaml:"recipients"`
	// IdentityFile holds the private key (age-keygen output) used to verify
	// and restore; it is required with recipients, since every backup is
	// verified.
	IdentityFile string `yaml:"identity_file"`
}

// BackupS3 is an S3-compatible object store.
type BackupS3 struct {
	// Endpoint is host[:port] (default s3.amazonaws.com).
	Endpoint        string `yaml:"endpoint"`
	Region          string `yaml:"region"`
	AccessKeyID     Secret `yaml:"access_key_id"`
	SecretAccessKey Secret `yaml:"secret_access_key"`
	// Insecure uses http:// (only for a store on loopback).
	Insecure bool `yaml:"insecure"`
	// PartSize is the multipart upload part size (default 16MiB, at least 5MiB).
	PartSize Size `yaml:"part_size"`
}

// DefaultBackupKeep is the retention used when keep is not set.
var DefaultBackupKeep = BackupKeep{Last: 3, Daily: 7, Weekly: 4, Monthly: 12}

var backupName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// BackupTargets returns every target with its defaults filled in, the built-in
// "warden" target first.
func (c *Config) BackupTargets() []Backup {
	builtin := Backup{Name: BuiltinBackup}
	var out []Backup
	for _, b := range c.Backups {
		if b.Name == BuiltinBackup && b.SQLite == "" && b.Postgres == "" {
			builtin = b
			continue
		}
		out = append(out, b.withDefaults(c.DataDir))
	}
	if builtin.Schedule == "" {
		builtin.Schedule = "30 2 * * *"
	}
	return append([]Backup{builtin.withDefaults(c.DataDir)}, out...)
}

func (b Backup) withDefaults(dataDir string) Backup {
	if b.Schedule == "" {
		b.Schedule = "0 3 * * *"
	}
	if b.Destination == "" {
		b.Destination = filepath.Join(dataDir, "backups")
	}
	if b.Keep == (BackupKeep{}) {
		b.Keep = DefaultBackupKeep
	}
	if b.MaxAge == 0 {
		b.MaxAge = Duration(26 * time.Hour)
	}
	if b.Compression == "" {
		b.Compression = "fastest"
	}
	if b.Verify == nil {
		t := true
		b.Verify = &t
	}
	if b.Timeout == 0 {
		b.Timeout = Duration(6 * time.Hour)
	}
	if b.S3.PartSize == 0 {
		b.S3.PartSize = 16 << 20
	}
	return b
}

// IsS3 reports whether the destination is an S3 bucket.
func (b Backup) IsS3() bool { return strings.HasPrefix(b.Destination, "s3://") }

func validateBackups(v *validator, list []Backup) {
	names := map[string]bool{}
	for i := range list {
		list[i].validate(v, index("backups", i), names)
	}
}

func (b *Backup) validate(v *validator, p string, names map[string]bool) {
	switch {
	case !backupName.MatchString(b.Name):
		v.errorf(p+".name", "%q must be lower-case letters, digits, - and _ (it names the backup files)", b.Name)
	case names[b.Name]:
		v.errorf(p+".name", "%q is used by another backup target", b.Name)
	}
	names[b.Name] = true
	pg := b.Postgres.Value()
	switch {
	case b.SQLite != "" && pg != "":
		v.errorf(p, "set either sqlite or postgres, not both")
	case b.SQLite == "" && pg == "" && b.Name != BuiltinBackup:
		v.errorf(p, "needs a source: sqlite: /path/app.db or postgres: postgres://... (only %q, Warden's own state, needs none)", BuiltinBackup)
	case pg != "" && !strings.HasPrefix(pg, "postgres://") && !strings.HasPrefix(pg, "postgresql://"):
		v.errorf(p+".postgres", "must be a postgres:// URL")
	}
	if s := b.ScratchURL.Value(); s != "" && !strings.HasPrefix(s, "postgres://") && !strings.HasPrefix(s, "postgresql://") {
		v.errorf(p+".scratch_url", "must be a postgres:// URL")
	}
	if b.Schedule != "" && b.Schedule != ScheduleManual {
		if _, err := schedule.Cron(b.Schedule); err != nil {
			v.errorf(p+".schedule", "%v (use cron syntax like \"0 3 * * *\", or manual)", err)
		}
	}
	if k := b.Keep; k.Last < 0 || k.Daily < 0 || k.Weekly < 0 || k.Monthly < 0 {
		v.errorf(p+".keep", "counts must not be negative")
	}
	if b.MaxAge < 0 {
		v.errorf(p+".max_age", "must not be negative")
	}
	switch b.Compression {
	case "", "fastest", "default", "better":
	default:
		v.errorf(p+".compression", "%q is not fastest, default or better", b.Compression)
	}
	for j, r := range b.Encryption.Recipients {
		if _, err := age.ParseX25519Recipient(r); err != nil {
			v.errorf(index(p+".encryption.recipients", j), "%q is not an age public key (age1...; make one with age-keygen)", r)
		}
	}
	if len(b.Encryption.Recipients) > 0 && b.Encryption.IdentityFile == "" {
		v.errorf(p+".encryption.identity_file", "must be set with recipients: every backup is verified by decrypting it")
	}
	if strings.HasPrefix(b.Destination, "s3://") {
		rest := strings.TrimPrefix(b.Destination, "s3://")
		if bucket, _, _ := strings.Cut(rest, "/"); bucket == "" {
			v.errorf(p+".destination", "%q names no bucket (s3://bucket/prefix)", b.Destination)
		}
		if b.S3.AccessKeyID.Value() == "" || b.S3.SecretAccessKey.Value() == "" {
			v.errorf(p+".s3", "access_key_id and secret_access_key are needed for an s3:// destination")
		}
		if b.S3.PartSize != 0 && b.S3.PartSize < 5<<20 {
			v.errorf(p+".s3.part_size", "must be at least 5MiB (S3's smallest part)")
		}
	} else if strings.Contains(b.Destination, "://") {
		v.errorf(p+".destination", "%q is neither a directory nor s3://bucket/prefix", b.Destination)
	}
	if b.Timeout < 0 {
		v.errorf(p+".timeout", "must not be negative")
	}
}
