package ingest

import (
	"strconv"
	"strings"
	"time"
)

// parseUnixDecimal reads a Unix time written as digits with an optional
// fraction ("1764504000123", "1764504000.123456") exactly, in integers:
// through a float64, a time in milliseconds loses its last digits (pino's
// 1764504000513 became ...512.999936) and lands in the wrong millisecond.
// The unit is told by magnitude, as ParseTime does. ok is false for any
// other form (exponents, signs), which ParseTime reads as before.
func parseUnixDecimal(s string) (t time.Time, ok bool) {
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" || len(whole) > 19 || !allDigits(whole) || !allDigits(frac) {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	// fracNanos reads the fraction as a count of 10^-digits units.
	fracUnits := func(digits int) int64 {
		f := frac
		if len(f) > digits {
			f = f[:digits] // finer than a nanosecond: truncated
		}
		f += strings.Repeat("0", digits-len(f))
		v, _ := strconv.ParseInt(f, 10, 64) // digits only, at most 9
		return v
	}
	switch {
	case n < 1e11: // seconds
		return time.Unix(n, fracUnits(9)).UTC(), true
	case n < 1e14: // milliseconds
		return time.Unix(n/1e3, (n%1e3)*1e6+fracUnits(6)).UTC(), true
	case n < 1e17: // microseconds
		return time.Unix(n/1e6, (n%1e6)*1e3+fracUnits(3)).UTC(), true
	case n < 9.2e18: // nanoseconds
		return time.Unix(0, n).UTC(), true
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
