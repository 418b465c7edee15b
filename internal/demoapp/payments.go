package demoapp

import (
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxPaymentsPerUser bounds memory when the traffic generator runs for
// hours; past it a user's oldest payments are forgotten.
const maxPaymentsPerUser = 500

// errProviderUnavailable is the simulated outage of the payment provider.
// Its text is fixed so that every occurrence groups into one issue.
var errProviderUnavailable = errors.New("payment provider unavailable: connection reset by peer")

// payment is a payment order, in the shape the API returns it.
type payment struct {
	ID            string    `json:"id"`
	Amount        string    `json:"amount"` // canonical decimal, "123.45"
	Currency      string    `json:"currency"`
	RecipientIBAN string    `json:"recipient_iban"`
	Reference     string    `json:"reference"`
	Status        string    `json:"status"`
	CreatedAt     time.Time `json:"created_at"`
	userID        string
}

// paymentStore keeps payments in memory, each visible only to its owner.
type paymentStore struct {
	mu     sync.Mutex
	byID   map[string]*payment
	byUser map[string][]*payment // in creation order
}

func newPaymentStore() *paymentStore {
	return &paymentStore{byID: map[string]*payment{}, byUser: map[string][]*payment{}}
}

func (s *paymentStore) add(p *payment) {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := append(s.byUser[p.userID], p)
	if len(list) > maxPaymentsPerUser {
		delete(s.byID, list[0].ID)
		list = list[1:]
	}
	s.byUser[p.userID] = list
	s.byID[p.ID] = p
}

// get returns a copy of the user's payment. Another user's payment is "not
// found" rather than "forbidden", so ids cannot be probed.
func (s *paymentStore) get(userID, id string) (payment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.byID[id]
	if !ok || p.userID != userID {
		return payment{}, false
	}
	return *p, true
}

// list returns copies of the user's payments, newest first.
func (s *paymentStore) list(userID string) []payment {
	s.mu.Lock()
	defer s.mu.Unlock()
	list := s.byUser[userID]
	out := make([]payment, 0, len(list))
	for i := len(list) - 1; i >= 0; i-- {
		out = append(out, *list[i])
	}
	return out
}

type paymentRequest struct {
	Amount        string `json:"amount"`
	Currency      string `json:"currency"`
	RecipientIBAN string `json:"recipient_iban"`
	Reference     string `json:"reference"`
}

// validate checks every field and reports all problems at once, each named
// by its field, so that a client fixes its request in one round trip.
func (req paymentRequest) validate() (minor int64, iban string, err error) {
	var problems []string
	minor, aerr := parseAmount(req.Amount)
	if aerr != nil {
		problems = append(problems, "amount: "+aerr.Error())
	}
	if cerr := checkCurrency(req.Currency); cerr != nil {
		problems = append(problems, "currency: "+cerr.Error())
	}
	iban, ierr := normalizeIBAN(req.RecipientIBAN)
	if ierr != nil {
		problems = append(problems, "recipient_iban: "+ierr.Error())
	}
	if n := len([]rune(req.Reference)); n > maxReferenceLen {
		problems = append(problems, fmt.Sprintf("reference: must be at most %d characters, not %d", maxReferenceLen, n))
	}
	if problems != nil {
		return 0, "", errors.New(strings.Join(problems, "; "))
	}
	return minor, iban, nil
}

// handleCreatePayment validates and records a payment order. Amounts whose
// cents are 13 fail at the (simulated) provider with a 502, which gives the
// demo a predictable stream of errors to track and alert on.
func (a *App) handleCreatePayment(w http.ResponseWriter, r *http.Request, userID string) {
	var req paymentRequest
	if err := decodeJSON(w, r, &req); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	minor, iban, err := req.validate()
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if minor%100 == 13 {
		a.serverError(w, r, http.StatusBadGateway, "payment provider unavailable", errProviderUnavailable)
		return
	}
	p := &payment{
		ID:            "pay_" + strings.ToLower(rand.Text()[:16]),
		Amount:        formatAmount(minor),
		Currency:      req.Currency,
		RecipientIBAN: iban,
		Reference:     req.Reference,
		Status:        "initiated",
		CreatedAt:     a.now().UTC(),
		userID:        userID,
	}
	a.payments.add(p)
	// No IBAN or reference in the log: they identify people.
	a.requestLogger(r).InfoContext(r.Context(), "payment created", "event", "payment.created",
		"payment_id", p.ID, "amount", p.Amount, "currency", p.Currency)
	w.Header().Set("Location", "/api/payments/"+p.ID)
	writeJSON(w, http.StatusCreated, p)
}

func (a *App) handleListPayments(w http.ResponseWriter, r *http.Request, userID string) {
	writeJSON(w, http.StatusOK, map[string][]payment{"payments": a.payments.list(userID)})
}

func (a *App) handleGetPayment(w http.ResponseWriter, r *http.Request, userID string) {
	p, ok := a.payments.get(userID, r.PathValue("id"))
	if !ok {
		writeError(w, http.StatusNotFound, "payment not found")
		return
	}
	writeJSON(w, http.StatusOK, p)
}
