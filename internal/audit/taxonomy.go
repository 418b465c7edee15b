package audit

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// DefaultActions is the action taxonomy of a regulated payments app, plus
// Warden's own admin actions. Configuration can add to it.
var DefaultActions = []string{
	// Authentication.
	"auth.login.success", "auth.login.failure", "auth.logout",
	"auth.mfa.enrolled", "auth.mfa.challenge", "auth.mfa.success", "auth.mfa.failure", "auth.mfa.removed",
	"auth.bankid.started", "auth.bankid.success", "auth.bankid.failure", "auth.bankid.cancelled",
	"auth.password.changed", "auth.password.reset_requested", "auth.session.revoked",
	// Payments (PSD2).
	"payment.initiated", "payment.authorised", "payment.failed", "payment.refunded", "payment.cancelled",
	// Cards.
	"card.issued", "card.activated", "card.frozen", "card.unfrozen", "card.blocked", "card.limit_changed", "card.pin_viewed",
	// Recipients (payees).
	"recipient.added", "recipient.updated", "recipient.removed",
	// Consents (PSD2 AIS/PIS, marketing).
	"consent.granted", "consent.revoked", "consent.expired",
	// Settings.
	"settings.updated", "settings.notifications_changed", "settings.contact_changed",
	// Complaints.
	"complaint.filed", "complaint.updated", "complaint.resolved",
	// User management.
	"user.created", "user.updated", "user.deleted", "user.locked", "user.unlocked", "user.role_changed",
	// Data subject requests (GDPR).
	"data.export_requested", "data.erasure_requested",
	// Admin actions, Warden's own included.
	"admin.login", "admin.impersonation.start", "admin.impersonation.end",
	"admin.silence.create", "admin.silence.expire",
	"admin.issue.status_change", "admin.config.reload", "admin.backup.restore",
	"admin.audit.export", "admin.audit.checkpoint", "admin.audit.retention", "admin.audit.subject_erase",
	"admin.token.used",
}

var actionPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Taxonomy is the set of actions events may name.
type Taxonomy struct {
	actions map[string]bool
	// free accepts any well-formed action, for apps still shaping theirs.
	free bool
}

// NewTaxonomy returns the default actions plus extra. With free set, any
// well-formed action (dotted lower-case words) is accepted.
func NewTaxonomy(extra []string, free bool) (*Taxonomy, error) {
	t := &Taxonomy{actions: map[string]bool{}, free: free}
	for _, a := range DefaultActions {
		t.actions[a] = true
	}
	for _, a := range extra {
		if !actionPattern.MatchString(a) {
			return nil, fmt.Errorf("action %q is not dotted lower-case words like payment.initiated", a)
		}
		t.actions[a] = true
	}
	return t, nil
}

// ValidAction reports whether action is well-formed (the shape every action
// must have, known or free).
func ValidAction(action string) bool { return actionPattern.MatchString(action) }

// Check says why action is not accepted, or returns nil.
func (t *Taxonomy) Check(action string) error {
	if !actionPattern.MatchString(action) {
		return fmt.Errorf("%q is not an action: use dotted lower-case words like payment.initiated", action)
	}
	if t.actions[action] || t.free {
		return nil
	}
	return fmt.Errorf("unknown action %q%s (add it to audit.actions in the config, or set audit.allow_free_actions)", action, t.suggest(action))
}

// suggest names known actions sharing the unknown one's first word, since a
// typo is the usual cause.
func (t *Taxonomy) suggest(action string) string {
	prefix, _, _ := strings.Cut(action, ".")
	var near []string
	for a := range t.actions {
		if strings.HasPrefix(a, prefix+".") {
			near = append(near, a)
		}
	}
	if len(near) == 0 {
		return ""
	}
	sort.Strings(near)
	if len(near) > 6 {
		near = append(near[:6], "...")
	}
	return "; known " + prefix + " actions: " + strings.Join(near, ", ")
}

// Actions lists the known actions, sorted.
func (t *Taxonomy) Actions() []string {
	out := make([]string, 0, len(t.actions))
	for a := range t.actions {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}
