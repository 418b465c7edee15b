package demoapp

import (
	"errors"
	"fmt"
	"strings"
)

// maxAmountDigits bounds the whole part of an amount (up to 10^12 - 1) so
// that its minor units always fit an int64.
const maxAmountDigits = 12

// maxReferenceLen is the SEPA limit for unstructured remittance information.
const maxReferenceLen = 140

// currencies are the ones the demo's provider settles; Nordic and euro, as
// the reference user is an EU payments app.
var currencies = []string{"NOK", "SEK", "DKK", "EUR"}

// parseAmount reads a positive decimal such as "123.45" into minor units
// (12345). Money stays out of floating point.
func parseAmount(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	switch {
	case s == "":
		return 0, errors.New("required")
	case whole == "" || !allDigits(whole) || (hasFrac && (frac == "" || !allDigits(frac))):
		return 0, fmt.Errorf("%q is not a decimal number such as \"123.45\"", s)
	case len(frac) > 2:
		return 0, fmt.Errorf("%q has more than 2 decimals", s)
	case len(strings.TrimLeft(whole, "0")) > maxAmountDigits:
		return 0, fmt.Errorf("%q is too large", s)
	}
	var minor int64
	for _, c := range whole + (frac + "00")[:2] {
		minor = minor*10 + int64(c-'0')
	}
	if minor == 0 {
		return 0, errors.New("must be greater than zero")
	}
	return minor, nil
}

// formatAmount writes minor units back in the canonical form "123.45".
func formatAmount(minor int64) string {
	return fmt.Sprintf("%d.%02d", minor/100, minor%100)
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func checkCurrency(c string) error {
	for _, known := range currencies {
		if c == known {
			return nil
		}
	}
	if c == "" {
		return errors.New("required")
	}
	return fmt.Errorf("%q is not one of %s", c, strings.Join(currencies, ", "))
}

// normalizeIBAN removes the spaces people type between groups and checks the
// ISO 13616 form: country, two check digits, up to 30 letters or digits, and
// the mod-97 checksum that catches any single typo or swapped pair.
func normalizeIBAN(s string) (string, error) {
	iban := strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if iban == "" {
		return "", errors.New("required")
	}
	if len(iban) < 15 || len(iban) > 34 {
		return "", fmt.Errorf("must be 15 to 34 characters, not %d", len(iban))
	}
	for i, c := range iban {
		letter, digit := c >= 'A' && c <= 'Z', c >= '0' && c <= '9'
		if (i < 2 && !letter) || (i >= 2 && i < 4 && !digit) || (!letter && !digit) {
			return "", errors.New("must start with a country code and two check digits, then letters and digits only")
		}
	}
	if ibanMod97(iban) != 1 {
		return "", errors.New("checksum does not match; check for a typo")
	}
	return iban, nil
}

// ibanMod97 computes the IBAN checksum: the first four characters move to
// the end, letters become 10..35, and the resulting number is taken mod 97
// digit by digit so that it never needs big integers.
func ibanMod97(iban string) int {
	rem := 0
	for _, c := range iban[4:] + iban[:4] {
		if c >= 'A' && c <= 'Z' {
			rem = (rem*100 + int(c-'A') + 10) % 97
		} else {
			rem = (rem*10 + int(c-'0')) % 97
		}
	}
	return rem
}
