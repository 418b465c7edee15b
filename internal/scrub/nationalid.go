package scrub

// Weights of the two mod-11 check digits of a Norwegian national identity
// number.
var (
	nidWeights1 = [9]int{3, 7, 6, 1, 8, 9, 4, 5, 2}
	nidWeights2 = [10]int{5, 4, 3, 2, 7, 6, 5, 4, 3, 2}
)

// isNationalID reports whether 11 digits are a Norwegian fødselsnummer,
// D-number (day + 40), H-number (month + 40) or synthetic test number
// (month + 80). Two check digits pass one random number in 121; the date
// rule cuts that by a further factor of about eight, which is what keeps
// phone numbers and order ids intact.
func isNationalID(d []byte) bool {
	if len(d) != 11 {
		return false
	}
	var v [11]int
	for i, c := range d {
		v[i] = int(c - '0')
	}
	day, month := v[0]*10+v[1], v[2]*10+v[3]
	if !(day >= 1 && day <= 31 || day >= 41 && day <= 71) {
		return false
	}
	switch {
	case month > 80:
		month -= 80
	case month > 40:
		month -= 40
	}
	if month < 1 || month > 12 {
		return false
	}
	return checkDigit(v[:9], nidWeights1[:]) == v[9] &&
		checkDigit(v[:10], nidWeights2[:]) == v[10]
}

// checkDigit returns the mod-11 check digit of v, or -1 where the remainder
// gives 10, which no valid number has.
func checkDigit(v, weights []int) int {
	sum := 0
	for i, w := range weights {
		sum += v[i] * w
	}
	k := 11 - sum%11
	switch k {
	case 11:
		return 0
	case 10:
		return -1
	}
	return k
}
