package demoapp

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

func validPayment() map[string]string {
	return map[string]string{
		"amount":         "123.45",
		"currency":       "NOK",
		"recipient_iban": "NO93 8601 1117 947",
		"reference":      "Invoice 2025-0117",
	}
}

func TestPaymentCreateListGet(t *testing.T) {
	ta := newTestApp(t)
	alice := ta.login("alice", "wonderland")

	r := ta.do("POST", "/api/payments", alice, validPayment())
	wantStatus(t, r, http.StatusCreated)
	id, _ := r.body["id"].(string)
	if !strings.HasPrefix(id, "pay_") || len(id) < 12 {
		t.Fatalf("id %q, want pay_<random>", id)
	}
	want := map[string]any{
		"amount": "123.45", "currency": "NOK", "recipient_iban": "NO9386011117947",
		"reference": "Invoice 2025-0117", "status": "initiated", "created_at": "2025-03-14T09:00:00Z",
	}
	for k, v := range want {
		if r.body[k] != v {
			t.Errorf("%s = %v, want %v", k, r.body[k], v)
		}
	}
	if loc := r.header.Get("Location"); loc != "/api/payments/"+id {
		t.Errorf("Location %q", loc)
	}

	second := validPayment()
	second["amount"] = "7"
	r = ta.do("POST", "/api/payments", alice, second)
	wantStatus(t, r, http.StatusCreated)
	if r.body["amount"] != "7.00" {
		t.Errorf("amount %v, want the canonical 7.00", r.body["amount"])
	}

	r = ta.do("GET", "/api/payments", alice, nil)
	wantStatus(t, r, http.StatusOK)
	list, _ := r.body["payments"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["amount"] != "7.00" {
		t.Fatalf("list %s, want 2 payments, newest first", r.raw)
	}

	r = ta.do("GET", "/api/payments/"+id, alice, nil)
	wantStatus(t, r, http.StatusOK)
	if r.body["id"] != id {
		t.Fatalf("got %v, want %s", r.body["id"], id)
	}

	// Bob sees none of it, not even that the id exists.
	bob := ta.login("bob", "builder")
	wantError(t, ta.do("GET", "/api/payments/"+id, bob, nil), http.StatusNotFound, "payment not found")
	r = ta.do("GET", "/api/payments", bob, nil)
	if list, _ := r.body["payments"].([]any); list == nil || len(list) != 0 {
		t.Fatalf("bob's list %s, want an empty array", r.raw)
	}
	wantError(t, ta.do("GET", "/api/payments/pay_nope", alice, nil), http.StatusNotFound, "payment not found")

	created := 0
	for _, e := range ta.logs.lines(t, "payment created") {
		created++
		if e["user_id"] != "u_1001" || e["payment_id"] == "" {
			t.Errorf("payment.created line %v", e)
		}
		if _, ok := e["recipient_iban"]; ok {
			t.Errorf("IBAN logged: %v", e)
		}
	}
	if created != 2 {
		t.Errorf("%d payment.created lines, want 2", created)
	}
}

func TestPaymentValidation(t *testing.T) {
	ta := newTestApp(t)
	token := ta.login("alice", "wonderland")
	tests := []struct {
		field, value, want string
	}{
		{"amount", "12.345", "amount: "},
		{"amount", "-5.00", "amount: "},
		{"amount", "0.00", "amount: must be greater than zero"},
		{"amount", "1,50", "amount: "},
		{"amount", "", "amount: required"},
		{"amount", "1e3", "amount: "},
		{"amount", "10000000000000", "amount: "},
		{"currency", "USD", "currency: "},
		{"currency", "nok", "currency: "},
		{"recipient_iban", "NO9386011117948", "recipient_iban: checksum"},
		{"recipient_iban", "NO93", "recipient_iban: "},
		{"recipient_iban", "9386011117947NO", "recipient_iban: "},
		{"reference", strings.Repeat("x", 141), "reference: "},
	}
	for _, tc := range tests {
		t.Run(tc.field+"="+tc.value, func(t *testing.T) {
			p := validPayment()
			p[tc.field] = tc.value
			wantError(t, ta.do("POST", "/api/payments", token, p), http.StatusBadRequest, tc.want)
		})
	}

	t.Run("every problem at once", func(t *testing.T) {
		r := ta.do("POST", "/api/payments", token, map[string]string{"currency": "USD"})
		for _, field := range []string{"amount:", "currency:", "recipient_iban:"} {
			wantError(t, r, http.StatusBadRequest, field)
		}
	})
	t.Run("unknown field", func(t *testing.T) {
		p := validPayment()
		p["ammount"] = "1.00"
		wantError(t, ta.do("POST", "/api/payments", token, p), http.StatusBadRequest, "ammount")
	})
	t.Run("body too large", func(t *testing.T) {
		body := `{"reference":"` + strings.Repeat("x", maxBodyBytes) + `"}`
		wantError(t, ta.do("POST", "/api/payments", token, body), http.StatusBadRequest, "larger than")
	})

	if r := ta.do("GET", "/api/payments", token, nil); len(r.body["payments"].([]any)) != 0 {
		t.Fatalf("invalid payments were stored: %s", r.raw)
	}
	if got := ta.reported(); len(got) != 0 {
		t.Fatalf("client mistakes reported as errors: %v", got)
	}
}

func TestPaymentProviderFailure(t *testing.T) {
	ta := newTestApp(t)
	token := ta.login("alice", "wonderland")
	p := validPayment()
	p["amount"] = "500.13"

	r := ta.do("POST", "/api/payments", token, p, "X-Request-ID", "req-13")
	wantError(t, r, http.StatusBadGateway, "payment provider unavailable")

	got := ta.reported()
	if len(got) != 1 || !errors.Is(got[0].err, errProviderUnavailable) || got[0].path != "/api/payments" {
		t.Fatalf("OnError calls %v, want one with the provider error", got)
	}
	lines := ta.logs.lines(t, "request failed")
	if len(lines) != 1 || lines[0]["level"] != "ERROR" || lines[0]["request_id"] != "req-13" ||
		!strings.Contains(str(lines[0]["error"]), "provider unavailable") {
		t.Fatalf("error log lines %v", lines)
	}
	if r := ta.do("GET", "/api/payments", token, nil); len(r.body["payments"].([]any)) != 0 {
		t.Fatalf("failed payment was stored: %s", r.raw)
	}

	// Only the cents decide: 13.00 and 5.31 go through.
	for _, amount := range []string{"13.00", "5.31", "0.14"} {
		p["amount"] = amount
		wantStatus(t, ta.do("POST", "/api/payments", token, p), http.StatusCreated)
	}
}

func TestPaymentStoreForgetsOldest(t *testing.T) {
	s := newPaymentStore()
	for i := range maxPaymentsPerUser + 3 {
		s.add(&payment{ID: "pay_" + string(rune('a'+i%26)) + strings.Repeat("x", i), userID: "u_1"})
	}
	if n := len(s.list("u_1")); n != maxPaymentsPerUser {
		t.Fatalf("%d payments kept, want %d", n, maxPaymentsPerUser)
	}
	if len(s.byID) != maxPaymentsPerUser {
		t.Fatalf("%d payments indexed, want %d", len(s.byID), maxPaymentsPerUser)
	}
	if _, ok := s.get("u_1", "pay_a"); ok {
		t.Fatal("oldest payment still there")
	}
}
