package scrub

import "testing"

func TestClassify(t *testing.T) {
	tests := []struct {
		key  string
		want keyClass
	}{
		{"password", secretKey},
		{"PASSWORD", secretKey},
		{"db_password", secretKey},
		{"dbPassword", secretKey},
		{"passwd", secretKey},
		{"secret", secretKey},
		{"client_secret", secretKey},
		{"stripeSecret", secretKey},
		{"token", secretKey},
		{"access_token", secretKey},
		{"refreshToken", secretKey},
		{"X-Auth-Token", secretKey},
		{"authorization", secretKey},
		{"Proxy-Authorization", secretKey},
		{"cookie", secretKey},
		{"Set-Cookie", secretKey},
		{"api_key", secretKey},
		{"apikey", secretKey},
		{"apiKey", secretKey},
		{"APIKey", secretKey},
		{"X-API-KEY", secretKey},
		{"x-api-key", secretKey},
		{"api.key", secretKey},
		{"private_key", secretKey},
		{"privateKey", secretKey},
		{"card_number", secretKey},
		{"cardNumber", secretKey},
		{"cvv", secretKey},
		{"CVC", secretKey},
		{"pin", secretKey},
		{"ssn", secretKey},
		{"password2", secretKey},
		{"user.password", secretKey},
		{"--password", secretKey},

		{"token_count", countKey},
		{"tokenCount", countKey},
		{"password_length", countKey},
		{"token_expires_in", countKey},
		{"token_type", countKey},
		{"prompt_tokens", countKey},
		{"max_tokens", countKey},
		{"token_count2", countKey},

		{"", plainKey},
		{"user", plainKey},
		{"key", plainKey},
		{"tokenizer", plainKey},
		{"spin", plainKey},
		{"pinned", plainKey},
		{"card", plainKey},
		{"card_brand", plainKey},
		{"passive", plainKey},
		{"message", plainKey},
		{"REDACTED", plainKey},
	}
	for _, tt := range tests {
		if got := std.classify(tt.key).class; got != tt.want {
			t.Errorf("classify(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

func TestExtraKeys(t *testing.T) {
	s := New(Options{ExtraKeys: []string{"bankid_pnr", "Session"}})
	for _, key := range []string{"bankid_pnr", "bankidPnr", "BANKID-PNR", "user_bankid_pnr", "bankidpnr", "session", "userSession2"} {
		if got := s.classify(key).class; got != secretKey {
			t.Errorf("classify(%q) = %d, want secret", key, got)
		}
	}
	for _, key := range []string{"bankid", "pnr", "pnr_bankid"} {
		if got := s.classify(key).class; got != plainKey {
			t.Errorf("classify(%q) = %d, want plain", key, got)
		}
	}
	if got := std.classify("bankid_pnr").class; got != plainKey {
		t.Errorf("extra keys leaked into the default scrubber")
	}
	if got := s.String("bankid_pnr=abc"); got != "bankid_pnr="+Redacted {
		t.Errorf("String = %q", got)
	}
}

func TestClassifyDoesNotAllocate(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() {
		std.classify("X-Forwarded-For")
		std.classify("refresh_token_expires_in")
	})
	if allocs != 0 {
		t.Errorf("classify allocates %v times", allocs)
	}
}
