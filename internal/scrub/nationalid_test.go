package scrub

import (
	"fmt"
	"testing"
)

// makeNationalID completes a date and individual number with the two check
// digits, or returns "" where no valid number exists for them.
func makeNationalID(ddmmyy string, individual int) string {
	var v [11]int
	base := fmt.Sprintf("%s%03d", ddmmyy, individual)
	for i := range 9 {
		v[i] = int(base[i] - '0')
	}
	if v[9] = checkDigit(v[:9], nidWeights1[:]); v[9] < 0 {
		return ""
	}
	if v[10] = checkDigit(v[:10], nidWeights2[:]); v[10] < 0 {
		return ""
	}
	return fmt.Sprintf("%s%d%d", base, v[9], v[10])
}

// someNationalIDs returns up to n valid numbers for the date part.
func someNationalIDs(ddmmyy string, n int) []string {
	var ids []string
	for ind := 0; ind < 1000 && len(ids) < n; ind += 37 {
		if id := makeNationalID(ddmmyy, ind); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func TestNationalIDs(t *testing.T) {
	ids := []string{
		"15076500565", // the test number in Skatteetaten's and many public examples
		"29029600013", // leap day
		"17912099997", // synthetic: month + 80
	}
	for _, date := range []string{
		"010190", "311299", "290200", // fødselsnummer
		"410190", "710199", // D-numbers: day + 40
		"014190", "015299", // H-numbers: month + 40
		"018123", "319200", // synthetic test numbers: month + 80
	} {
		ids = append(ids, someNationalIDs(date, 3)...)
	}
	for _, id := range ids {
		for _, in := range []string{id, id[:6] + " " + id[6:]} {
			got, n := std.StringCount("fnr: " + in + ".")
			if want := "fnr: " + RedactedNationalID + "."; got != want || n != 1 {
				t.Errorf("%q: got %q (%d), want %q", in, got, n, want)
			}
		}
	}
}

func TestNationalIDNearMisses(t *testing.T) {
	var misses []string
	for _, id := range someNationalIDs("010190", 5) {
		last := []byte(id)
		last[10] = '0' + (last[10]-'0'+1)%10
		first := []byte(id)
		first[9] = '0' + (first[9]-'0'+1)%10
		misses = append(misses, string(last), string(first))
	}
	// Valid check digits on impossible dates.
	for _, date := range []string{"000190", "320190", "400190", "720190", "011390", "014090", "015390", "019390"} {
		misses = append(misses, someNationalIDs(date, 3)...)
	}
	misses = append(misses,
		"12345678901",     // 11 digits, bad checks
		"010190123456",    // 12 digits
		"0101901234",      // 10 digits
		"010190-12345",    // dashes are not how fødselsnummer is grouped
		"01019 012345",    // nor 5-6
		"+47 912 34 567",  // phone numbers
		"004791234567",    //
		"+4791234567",     //
		"ORD-2024-000123", // order ids
		"fnr01019012345",  // glued to a word
	)
	for _, in := range misses {
		unchanged(t, in)
	}
}
