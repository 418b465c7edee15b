package scrub

// isCard reports whether the digits are a payment card number: a known
// issuer prefix, a length that brand issues, and a valid Luhn check digit.
// Luhn alone passes one random number in ten; the prefix and length rules
// are what keep order numbers and timestamps out.
func isCard(d []byte) bool {
	return len(d) >= 13 && len(d) <= 19 && brandFits(d) && luhn(d)
}

// brandFits reports whether the issuer prefix of d allows its length.
func brandFits(d []byte) bool {
	n := len(d)
	p2 := int(d[0]-'0')*10 + int(d[1]-'0')
	p3 := p2*10 + int(d[2]-'0')
	p4 := p3*10 + int(d[3]-'0')
	switch {
	case d[0] == '4': // Visa
		return n == 13 || n == 16 || n == 19
	case p2 == 34 || p2 == 37: // American Express
		return n == 15
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720: // Mastercard
		return n == 16
	case p4 >= 2200 && p4 <= 2204: // Mir
		return n >= 16
	case p3 >= 300 && p3 <= 305, p4 == 3095, p2 == 36, p2 == 38, p2 == 39: // Diners Club
		return n >= 14
	case p4 >= 3528 && p4 <= 3589: // JCB
		return n >= 16
	case p2 == 50, p2 >= 56 && p2 <= 69: // Maestro; Discover 6011/644-649/65 and UnionPay 62 fall in here too
		return true
	}
	return false
}

// luhn reports whether the last digit of d is its Luhn check digit.
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i] - '0')
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}
