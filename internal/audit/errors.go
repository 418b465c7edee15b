package audit

import (
	"errors"
	"fmt"
	"time"
)

// FieldError is a problem with one field of an event: the HTTP layer
// answers 400 naming Field.
type FieldError struct {
	// Field is the JSON path, such as actor.type or [2].action in a batch.
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) *FieldError {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// BusyError means the append queue is full: the caller should retry after
// RetryAfter rather than wait, so that memory stays bounded under overload.
type BusyError struct {
	RetryAfter time.Duration
}

func (e *BusyError) Error() string {
	return fmt.Sprintf("audit queue is full; retry in %s", e.RetryAfter)
}

// ErrClosed is returned by Append after Stop.
var ErrClosed = errors.New("audit trail is shutting down")

// ErrNotFound means no event or checkpoint matches.
var ErrNotFound = errors.New("not found")
