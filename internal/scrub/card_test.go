package scrub

import (
	"strings"
	"testing"
)

// testCards are the issuers' published test numbers.
var testCards = []struct{ brand, number string }{
	{"visa", "4111111111111111"},
	{"visa", "4012888888881881"},
	{"visa 13", "4222222222222"},
	{"mastercard", "5555555555554444"},
	{"mastercard 2-series", "2223003122003222"},
	{"amex", "378282246310005"},
	{"discover", "6011111111111117"},
	{"jcb", "3530111333300000"},
	{"diners", "30569309025904"},
	{"unionpay", "6200000000000005"},
}

func TestCards(t *testing.T) {
	for _, c := range testCards {
		t.Run(c.brand, func(t *testing.T) {
			for _, in := range []string{c.number, groups(c.number, " "), groups(c.number, "-")} {
				got, n := std.StringCount("paid with " + in + ", thanks")
				if want := "paid with " + RedactedCard + ", thanks"; got != want || n != 1 {
					t.Errorf("%q: got %q (%d), want %q", in, got, n, want)
				}
			}
		})
	}
}

func TestCardNearMisses(t *testing.T) {
	for _, c := range testCards {
		t.Run(c.brand, func(t *testing.T) {
			off := []byte(c.number)
			off[len(off)-1] = '0' + (off[len(off)-1]-'0'+1)%10 // Luhn catches every single-digit change
			for _, in := range []string{string(off), groups(string(off), " "), groups(string(off), "-")} {
				unchanged(t, in)
			}
		})
	}
}

func TestCardFormats(t *testing.T) {
	tests := []struct{ in, want string }{
		{"4111111111111111", RedactedCard},
		{"(4111111111111111)", "(" + RedactedCard + ")"},
		{"card=4111111111111111;", "card=" + RedactedCard + ";"},
		{"3782 822463 10005", RedactedCard},                          // Amex 4-6-5
		{"order 12 4111 1111 1111 1111", "order 12 " + RedactedCard}, // a leading short group is not part of it
		{"4111111111111111 1234", RedactedCard + " 1234"},
		{"4111111111111111 and 5555555555554444", RedactedCard + " and " + RedactedCard},
		{"x_4111111111111111", "x_" + RedactedCard},
		{"4111 1111 1111 1111.", RedactedCard + "."},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCardNotInLongerRuns(t *testing.T) {
	for _, in := range []string{
		"4111111111111111111111111",   // 25 digits
		"94111111111111111",           // a card preceded by a digit
		"41111111111111110",           // and followed by one
		"4111  1111  1111  1111",      // double spaces are not card grouping
		"4111_1111_1111_1111",         // nor underscores
		"abc4111111111111111",         // glued to an identifier
		"4111111111111111abc",         // likewise
		"1.4111111111111111",          // decimals
		"4111111111111111.25",         // an amount
		"41111111-1111-1111",          // an 8-digit group is no card grouping
		"12345678-4111-1111-1111-111", // UUID-shaped
		"4.111.111.111.111.111",       // dotted
	} {
		unchanged(t, in)
	}
}

func TestBrandFits(t *testing.T) {
	tests := []struct {
		digits string
		want   bool
	}{
		{"4000000000000", true},     // Visa 13
		{"40000000000000", false},   // Visa 14
		{"340000000000000", true},   // Amex 15
		{"3400000000000000", false}, // Amex 16
		{"5100000000000000", true},  // Mastercard
		{"2720000000000000", true},  // Mastercard 2-series end
		{"2721000000000000", false}, // just past it
		{"3528000000000000", true},  // JCB
		{"3000000000000000", true},  // Diners 16
		{"30000000000000", true},    // Diners 14
		{"1795000000000", false},    // a Unix time in ms
		{"1795000000000000", false}, // in µs
		{"7000000000000000", false}, // no issuer
		{"9000000000000000000", false},
	}
	for _, tt := range tests {
		if got := brandFits([]byte(tt.digits)); got != tt.want {
			t.Errorf("brandFits(%s) = %v, want %v", tt.digits, got, tt.want)
		}
	}
}

// groups prints a card number in groups as on the card: 4-4-4-4, Amex
// 4-6-5, Diners 4-6-4, 13-digit Visa 4-3-3-3.
func groups(number, sep string) string {
	switch len(number) {
	case 13:
		return number[:4] + sep + number[4:7] + sep + number[7:10] + sep + number[10:]
	case 14, 15:
		return number[:4] + sep + number[4:10] + sep + number[10:]
	}
	var parts []string
	for len(number) > 4 {
		parts = append(parts, number[:4])
		number = number[4:]
	}
	return strings.Join(append(parts, number), sep)
}

func unchanged(t *testing.T, in string) {
	t.Helper()
	if got, n := std.StringCount(in); got != in || n != 0 {
		t.Errorf("String(%q) = %q (%d redactions), want it unchanged", in, got, n)
	}
}
