package audit

import (
	"context"
	"errors"
	"strings"

	"github.com/wardenhq/warden/internal/auth"
	"github.com/wardenhq/warden/pkg/applog"
)

// Record appends an event Warden itself produces and waits until it is
// durable. A missing actor is taken from the authenticated principal in ctx
// (an admin: the token or UI user), or else is Warden itself; a missing
// request ID from the request in ctx.
func (s *Service) Record(ctx context.Context, e Event) error {
	if e.Actor.ID == "" {
		e.Actor = ActorFrom(ctx)
	}
	if e.RequestID == "" {
		e.RequestID = applog.RequestID(ctx)
	}
	_, err := s.Append(ctx, e)
	return err
}

// ActorFrom names the authenticated principal in ctx as an admin actor
// ("token:ops", "user:alice"), or Warden itself when there is none.
func ActorFrom(ctx context.Context) Actor {
	if p, ok := auth.FromContext(ctx); ok {
		return Actor{Type: ActorAdmin, ID: p.Kind + ":" + p.Name}
	}
	return Actor{Type: ActorService, ID: "warden"}
}

// AdminFunc returns a recorder with the signature other parts take for
// their admin actions (alerthttp.AuditFunc). Their action names such as
// alerts.silence.create are mapped into the admin.* taxonomy
// (admin.silence.create), and the target type is the action's middle word.
// Failures are logged: the admin action has already happened.
func (s *Service) AdminFunc() func(ctx context.Context, action, target string, details map[string]any) {
	return func(ctx context.Context, action, target string, details map[string]any) {
		action = s.adminAction(action)
		e := Event{Action: action, Outcome: Success, Details: details}
		if target != "" {
			e.Target = Target{Type: adminTargetType(action), ID: target}
		}
		if err := s.Record(ctx, e); err != nil {
			s.log.ErrorContext(ctx, "audit admin action", "action", action, "error", err)
		}
	}
}

func (s *Service) adminAction(action string) string {
	if s.opts.Taxonomy.Check(action) == nil {
		return action
	}
	if _, rest, ok := strings.Cut(action, "."); ok && s.opts.Taxonomy.Check("admin."+rest) == nil {
		return "admin." + rest
	}
	return action
}

func adminTargetType(action string) string {
	parts := strings.Split(action, ".")
	if len(parts) >= 3 && targetTypePattern.MatchString(parts[1]) {
		return parts[1]
	}
	return "object"
}

// EraseSubject destroys a user's pseudonym key (an erasure request, where
// the law allows it): their events stay, chained and provable, but nobody
// can tell they were that user's any more. The erasure itself is recorded,
// naming only the pseudonym.
func (s *Service) EraseSubject(ctx context.Context, userID string) (bool, error) {
	sub, err := s.store.SubjectByID(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := s.Record(ctx, Event{Action: "admin.audit.subject_erase", Target: Target{Type: "pseudonym", ID: sub.Pseudonym}, Outcome: Success}); err != nil {
		return false, err
	}
	return s.store.DeleteSubject(ctx, userID)
}
