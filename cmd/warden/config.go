package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/bcrypt"

	"github.com/wardenhq/warden/internal/config"
)

func runConfig(ctx context.Context, args []string, e env) error {
	if len(args) == 0 {
		return usagef("config needs a subcommand: check or hash-password")
	}
	switch args[0] {
	case "check":
		return (&configCheckCommand{}).Run(ctx, args[1:], e)
	case "hash-password":
		return (&hashPasswordCommand{}).Run(ctx, args[1:], e)
	}
	return usagef("unknown config subcommand %q (use check or hash-password)", args[0])
}

type configCheckCommand struct{}

const configCheckSynopsis = "warden config check [--config warden.yaml] [--quiet]"

// Run validates the file, lists every error as file:line: field: why, and
// prints the effective configuration with secrets masked.
func (c *configCheckCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("config check", configCheckSynopsis, e)
	path := configFlag(fs)
	quiet := fs.Bool("quiet", false, "print only errors, not the effective configuration")
	if err := parseFlags(fs, args, configCheckSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, configCheckSynopsis); err != nil {
		return err
	}
	cfg, err := loadConfig(*path, configGiven(fs), e)
	if err != nil {
		return err
	}
	if *quiet {
		return nil
	}
	out, err := cfg.Marshal()
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "# %s: ok. Effective configuration (secrets masked):\n%s", *path, out)
	return nil
}

// loadConfig reads the file and prints every error in it, one per line.
func loadConfig(path string, given bool, e env) (*config.Config, error) {
	cfg, err := config.Load(path, !given)
	var errs config.Errors
	if errors.As(err, &errs) {
		for _, fe := range errs {
			fmt.Fprintln(e.stderr, fe.Error())
		}
		fmt.Fprintf(e.stderr, "%s: %d error(s)\n", path, len(errs))
		return nil, errReported
	}
	return cfg, err
}

type hashPasswordCommand struct{}

const hashPasswordSynopsis = "warden config hash-password < password"

// Run reads a password from stdin and prints its bcrypt hash for ui.users.
func (c *hashPasswordCommand) Run(ctx context.Context, args []string, e env) error {
	fs := newFlagSet("config hash-password", hashPasswordSynopsis, e)
	if err := parseFlags(fs, args, hashPasswordSynopsis); err != nil {
		return err
	}
	if err := noArgs(fs, hashPasswordSynopsis); err != nil {
		return err
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	password := strings.TrimRight(line, "\r\n")
	if password == "" {
		if err != nil {
			return usagef("give the password on stdin: echo -n 'secret' | warden config hash-password")
		}
		return usagef("the password is empty")
	}
	if len(password) < 8 {
		return usagef("the password is shorter than 8 characters")
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, string(hash))
	return nil
}
