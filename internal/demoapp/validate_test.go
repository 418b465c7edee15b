package demoapp

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	good := map[string]int64{"1": 100, "0.01": 1, "123.45": 12345, "7.5": 750, "007.10": 710, "999999999999.99": 99999999999999}
	for in, want := range good {
		got, err := parseAmount(in)
		if err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "0.00", "-1", "+1", "1.", ".5", "1.234", "1,00", " 1", "1e2", "١٢", "1000000000000"} {
		if got, err := parseAmount(in); err == nil {
			t.Errorf("parseAmount(%q) = %d, want an error", in, got)
		}
	}
}

func TestNormalizeIBAN(t *testing.T) {
	valid := []string{
		"NO9386011117947", "no93 8601 1117 947", "SE4550000000058398257466",
		"DK5000400440116243", "DE89370400440532013000", "FI2112345600000785",
		"GB82WEST12345698765432",
	}
	for _, in := range valid {
		if _, err := normalizeIBAN(in); err != nil {
			t.Errorf("normalizeIBAN(%q): %v", in, err)
		}
	}
	// Every demo IBAN the traffic generator uses must pass.
	for _, in := range demoIBANs {
		if _, err := normalizeIBAN(in); err != nil {
			t.Errorf("demo IBAN %q: %v", in, err)
		}
	}
	invalid := []string{
		"", "NO9386011117948", "NO3986011117947", "NO938601111794", "N09386011117947",
		"NOAB86011117947", "NO93-8601-1117-947", strings.Repeat("1", 35), "ÆØ9386011117947",
	}
	for _, in := range invalid {
		if got, err := normalizeIBAN(in); err == nil {
			t.Errorf("normalizeIBAN(%q) = %q, want an error", in, got)
		}
	}
}

// FuzzParseAmount checks that any accepted amount is positive and survives a
// round trip through its canonical form.
func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1", "123.45", "0.01", "12.345", "-1", "1e9", "999999999999.99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		minor, err := parseAmount(s)
		if err != nil {
			return
		}
		if minor <= 0 {
			t.Fatalf("parseAmount(%q) = %d, not positive", s, minor)
		}
		again, err := parseAmount(formatAmount(minor))
		if err != nil || again != minor {
			t.Fatalf("round trip of %q: %d, %v", s, again, err)
		}
	})
}

// FuzzNormalizeIBAN checks that the validator never panics and that what it
// accepts is already normal.
func FuzzNormalizeIBAN(f *testing.F) {
	for _, s := range []string{"NO9386011117947", "SE45 5000 0000 0583 9825 7466", "XX00", "GB82WEST12345698765432"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		iban, err := normalizeIBAN(s)
		if err != nil {
			return
		}
		if again, err := normalizeIBAN(iban); err != nil || again != iban {
			t.Fatalf("normalizeIBAN(%q) = %q, not stable: %q, %v", s, iban, again, err)
		}
	})
}
