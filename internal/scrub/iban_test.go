package scrub

import "testing"

var testIBANs = []struct{ plain, grouped string }{
	{"NO9386011117947", "NO93 8601 1117 947"},
	{"GB82WEST12345698765432", "GB82 WEST 1234 5698 7654 32"},
	{"DE89370400440532013000", "DE89 3704 0044 0532 0130 00"},
	{"FR1420041010050500013M02606", "FR14 2004 1010 0505 0001 3M02 606"},
	{"NL91ABNA0417164300", "NL91 ABNA 0417 1643 00"},
	{"SE4550000000058398257466", "SE45 5000 0000 0583 9825 7466"},
}

func TestIBANs(t *testing.T) {
	for _, ib := range testIBANs {
		for _, in := range []string{ib.plain, ib.grouped, lowerString(ib.grouped)} {
			got, n := std.StringCount("to " + in + ", ref 1")
			if want := "to " + RedactedIBAN + ", ref 1"; got != want || n != 1 {
				t.Errorf("%q: got %q (%d), want %q", in, got, n, want)
			}
		}
	}
}

func TestIBANNearMisses(t *testing.T) {
	for _, ib := range testIBANs {
		b := []byte(ib.plain)
		b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10 // mod 97 catches every single-digit change
		unchanged(t, string(b))
		b = []byte(ib.grouped)
		b[len(b)-1] = '0' + (b[len(b)-1]-'0'+1)%10
		unchanged(t, string(b))
	}
	for _, in := range []string{
		"NO93860111179470",               // one too long
		"NO938601111794",                 // one too short
		"XX9386011117947",                // no such country
		"NO93 86011117947",               // grouping broken after the first group
		"NO9386011117947X",               // glued to more
		"ANO9386011117947",               // glued to a word
		"GB82WEST1234569876543",          // short
		"NO00 8601 1117 947",             // check digits 00
		"ab12cd34ef56ab78cd90ef12ab34cd", // hex
	} {
		unchanged(t, in)
	}
}

func TestIBANFollowedByText(t *testing.T) {
	in := "DE89 3704 0044 0532 0130 00 paid"
	if got, want := String(in), RedactedIBAN+" paid"; got != want {
		t.Errorf("String(%q) = %q, want %q", in, got, want)
	}
}

func lowerString(s string) string {
	b := []byte(s)
	for i := range b {
		b[i] = lower(b[i])
	}
	return string(b)
}
