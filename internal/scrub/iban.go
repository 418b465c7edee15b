package scrub

// ibanLengths lists the IBAN length of each country in the SWIFT IBAN
// registry: all SEPA countries and most others. A country missing here is
// never matched, which errs on the side of leaving text alone.
const ibanLengths = "" +
	// SEPA
	"AD24 AT20 BE16 BG22 CH21 CY28 CZ24 DE22 DK18 EE20 ES24 FI18 FR27 GB22 " +
	"GI23 GR27 HR21 HU28 IE22 IS26 IT27 LI21 LT20 LU20 LV21 MC27 MT31 NL18 " +
	"NO15 PL28 PT25 RO24 SE24 SI19 SK24 SM27 VA22 AL28 MD24 ME22 MK19 " +
	// elsewhere
	"AE23 AZ28 BA20 BH22 BI27 BR29 BY28 CR22 DJ27 DO28 EG29 FK18 FO18 GE22 " +
	"GL18 GT28 IL23 IQ23 JO30 KW30 KZ20 LB28 LC32 LY25 MN20 MR27 MU30 NI28 " +
	"OM23 PK24 PS29 QA29 RS22 RU33 SA24 SC31 SD18 SO23 ST25 SV28 TL23 TN24 " +
	"TR26 UA29 VG24 XK20 YE30"

// ibanLen maps a country code (two uppercase letters) to its IBAN length.
var ibanLen = func() (t [26][26]uint8) {
	for i := 0; i+4 <= len(ibanLengths); i += 5 {
		e := ibanLengths[i : i+4]
		t[e[0]-'A'][e[1]-'A'] = (e[2]-'0')*10 + (e[3] - '0')
	}
	return t
}()

// ibanAt returns the end of an IBAN whose country code starts at p, or -1.
// The IBAN is printed plain or in groups of four separated by single
// spaces, in either case, and must be followed by a non-alphanumeric byte.
func ibanAt(in string, p int) int {
	n := len(in)
	if p+4 > n {
		return -1
	}
	c0, c1 := upper(in[p]), upper(in[p+1])
	if !isUpper(c0) || !isUpper(c1) || !isDigit(in[p+2]) || !isDigit(in[p+3]) {
		return -1
	}
	want := int(ibanLen[c0-'A'][c1-'A'])
	if want == 0 {
		return -1
	}
	var buf [34]byte
	buf[0], buf[1], buf[2], buf[3] = c0, c1, in[p+2], in[p+3]
	j := p + 4
	grouped := j < n && in[j] == ' '
	for got := 4; got < want; got++ {
		if grouped && got%4 == 0 {
			if j >= n || in[j] != ' ' {
				return -1
			}
			j++
		}
		if j >= n || !isAlnum(in[j]) {
			return -1
		}
		buf[got] = upper(in[j])
		j++
	}
	if j < n && isAlnum(in[j]) {
		return -1
	}
	if !ibanChecksum(buf[:want]) {
		return -1
	}
	return j
}

// ibanChecksum reports whether an uppercase IBAN passes ISO 13616: check
// digits 02-98 and the number formed by BBAN + country + check digits, with
// letters as 10-35, equal to 1 mod 97.
func ibanChecksum(b []byte) bool {
	if cd := int(b[2]-'0')*10 + int(b[3]-'0'); cd < 2 || cd > 98 {
		return false
	}
	r := 0
	for i := range b {
		c := b[(i+4)%len(b)] // rotate the first four to the end
		if isDigit(c) {
			r = (r*10 + int(c-'0')) % 97
		} else {
			r = (r*100 + int(c-'A') + 10) % 97
		}
	}
	return r == 1
}
