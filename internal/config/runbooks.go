package config

// Runbooks says where the Markdown runbooks are that Warden serves in the
// UI and that alerts and checks name by id.
type Runbooks struct {
	// Dir holds one .md file per runbook (README.md and index.md are not
	// runbooks), relative to the working directory. A missing directory is
	// not an error: the Runbooks page says so and lists none.
	Dir string `yaml:"dir"`
}

// DefaultRunbooksDir is runbooks.dir when the file does not set it.
const DefaultRunbooksDir = "./runbooks"

func (r *Runbooks) validate(*validator) {
	// The default is set here, not in Default, so that the section stays
	// in this file.
	if r.Dir == "" {
		r.Dir = DefaultRunbooksDir
	}
}
