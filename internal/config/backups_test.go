package config

import (
	"strings"
	"testing"
)

func TestBackupsSection(t *testing.T) {
	yml := `data_dir: /srv/warden
backups:
  - { name: app, sqlite: /var/lib/app/app.db, schedule: "0 3 * * *", destination: ./warden-data/backups,
      keep: { last: 3, daily: 7, weekly: 4, monthly: 12 }, max_age: 26h }
  - name: ledger
    postgres: postgres://app:secret@127.0.0.1:5432/ledger
    destination: s3://backups/ledger
    s3: { endpoint: 127.0.0.1:9000, access_key_id: "${AK}", secret_access_key: "${SK}", insecure: true }
  - { name: warden, schedule: manual }
`
	env := map[string]string{"AK": "key", "SK": "secret"}
	cfg, err := Parse("warden.yaml", []byte(yml), func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	ts := cfg.BackupTargets()
	if len(ts) != 3 || ts[0].Name != BuiltinBackup || ts[0].Schedule != "manual" || ts[0].Destination != "/srv/warden/backups" {
		t.Fatalf("targets %+v", ts)
	}
	if ts[2].Name != "ledger" || !ts[2].IsS3() || ts[2].Keep != DefaultBackupKeep || ts[2].MaxAge.Std().Hours() != 26 || !*ts[2].Verify {
		t.Errorf("ledger defaults: %+v", ts[2])
	}
	// With no backups section the built-in target alone runs nightly.
	def := Default().BackupTargets()
	if len(def) != 1 || def[0].Name != BuiltinBackup || def[0].Schedule == "" {
		t.Errorf("default targets %+v", def)
	}
}

func TestBackupsErrorsNameLineAndField(t *testing.T) {
	yml := `backups:
  - { name: App, sqlite: /a.db }
  - { name: b, schedule: "61 * * * *", sqlite: /b.db }
  - { name: c, postgres: "mysql://x", compression: turbo }
  - { name: d, sqlite: /d.db, encryption: { recipients: [notakey] } }
  - { name: e, sqlite: /e.db, destination: "s3://" }
  - { name: f }
`
	_, err := Parse("warden.yaml", []byte(yml), func(string) (string, bool) { return "", false })
	if err == nil {
		t.Fatal("bad backups accepted")
	}
	msg := err.Error()
	for _, want := range []string{
		"warden.yaml:2: backups[0].name",
		"warden.yaml:3: backups[1].schedule",
		"warden.yaml:4: backups[2].postgres",
		"backups[2].compression",
		"backups[3].encryption.recipients[0]",
		"backups[3].encryption.identity_file",
		"backups[4].destination",
		"backups[4].s3",
		"warden.yaml:7: backups[5]: needs a source",
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("missing %q in:\n%s", want, msg)
		}
	}
}
