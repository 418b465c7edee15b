package config

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Duration is a time.Duration that also reads days (d), weeks (w) and years
// (y, 365 days), because retention periods are written as 30d or 5y.
type Duration time.Duration

// Std returns the duration as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

var durationUnits = []struct {
	suffix string
	unit   time.Duration
}{
	// Longer suffixes first so that "ms" is not read as "m" followed by "s".
	{"ns", time.Nanosecond}, {"us", time.Microsecond}, {"µs", time.Microsecond},
	{"ms", time.Millisecond}, {"s", time.Second}, {"m", time.Minute}, {"h", time.Hour},
	{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}, {"y", 365 * 24 * time.Hour},
}

// ParseDuration reads durations such as 500ms, 30s, 5m, 3h, 30d, 5y and
// combinations such as 1h30m. A bare 0 is allowed.
func ParseDuration(s string) (Duration, error) {
	bad := fmt.Errorf("%q is not a duration (use 30s, 5m, 3h, 30d, 5y)", s)
	if s == "0" {
		return 0, nil
	}
	if s == "" {
		return 0, bad
	}
	var total float64
	rest := s
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		if i == 0 {
			return 0, bad
		}
		n, err := strconv.ParseFloat(rest[:i], 64)
		if err != nil {
			return 0, bad
		}
		rest = rest[i:]
		matched := false
		for _, u := range durationUnits {
			if strings.HasPrefix(rest, u.suffix) {
				total += n * float64(u.unit)
				rest = rest[len(u.suffix):]
				matched = true
				break
			}
		}
		if !matched {
			return 0, bad
		}
	}
	if total > float64(1<<63-1) {
		return 0, fmt.Errorf("%q is too long a duration", s)
	}
	return Duration(total), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := ParseDuration(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// String prints the duration in the largest unit that divides it exactly, so
// that the effective configuration reads as it was written.
func (d Duration) String() string {
	v := time.Duration(d)
	if v == 0 {
		return "0s"
	}
	for _, u := range []struct {
		s string
		d time.Duration
	}{{"y", 365 * 24 * time.Hour}, {"d", 24 * time.Hour}} {
		if v%u.d == 0 {
			return strconv.FormatInt(int64(v/u.d), 10) + u.s
		}
	}
	return v.String()
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// Size is a number of bytes, written as 10KiB, 1MiB, 512B or a bare number.
type Size int64

var sizeUnits = []struct {
	suffix string
	mult   int64
}{
	{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
	{"KB", 1000}, {"MB", 1000 * 1000}, {"GB", 1000 * 1000 * 1000}, {"TB", 1000 * 1000 * 1000 * 1000},
	{"B", 1},
}

// ParseSize reads sizes such as 10KiB, 1MiB, 2GB or 4096. Units are
// case-sensitive: "10kb" is ambiguous (bits or bytes? 1000 or 1024?) and refused.
func ParseSize(s string) (Size, error) {
	bad := fmt.Errorf("%q is not a size (use 10KiB)", s)
	num := s
	var mult int64 = 1
	for _, u := range sizeUnits {
		if strings.HasSuffix(s, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 {
		return 0, bad
	}
	if mult > 1 && n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return Size(n * mult), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (z *Size) UnmarshalText(b []byte) error {
	v, err := ParseSize(string(b))
	if err != nil {
		return err
	}
	*z = v
	return nil
}

// String prints the size in the largest binary unit that divides it.
func (z Size) String() string {
	for _, u := range []struct {
		s string
		m Size
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if z != 0 && z%u.m == 0 {
			return strconv.FormatInt(int64(z/u.m), 10) + u.s
		}
	}
	return strconv.FormatInt(int64(z), 10) + "B"
}

// MarshalText implements encoding.TextMarshaler.
func (z Size) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// Secret is a string that prints as "****" (when set) wherever the
// configuration is shown or logged. Read it with Value.
type Secret string

// Value returns the secret itself.
func (s Secret) Value() string { return string(s) }

// String masks the secret.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return "****"
}

// MarshalText masks the secret, so printing a config never leaks it.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Secret) UnmarshalText(b []byte) error { *s = Secret(b); return nil }
