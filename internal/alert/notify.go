package alert

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"
)

// deliver sends n through ch, retrying with exponential backoff and jitter
// on retryable failures (honouring a receiver's Retry-After), recording
// every attempt in the delivery log. It reports whether n was delivered.
func (r *Router) deliver(ctx context.Context, ch Channel, n *Notification) bool {
	p := r.opts.Retry
	title := n.Title()
	firing, resolved := len(n.Firing()), len(n.ResolvedAlerts())
	for attempt := 1; attempt <= p.MaxAttempts; attempt++ {
		start := time.Now()
		err := ch.Send(ctx, n)
		took := time.Since(start)
		d := Delivery{
			At: r.now(), Channel: ch.Name(), ChannelType: ch.Type(), GroupKey: n.GroupKey, Attempt: attempt,
			Status: DeliveryDelivered, DurationMS: took.Milliseconds(), Firing: firing, Resolved: resolved, Title: title, Test: n.Test,
		}
		retry, after := false, time.Duration(0)
		if err != nil {
			retry, after = retryable(err)
			d.Status, d.Error = DeliveryFailed, err.Error()
			var de *DeliveryError
			if errors.As(err, &de) {
				d.Code = de.Status
			}
			if retry && attempt < p.MaxAttempts && ctx.Err() == nil {
				d.Status = DeliveryRetrying
			}
		}
		r.recordDelivery(d, took)
		if err == nil {
			return true
		}
		if d.Status != DeliveryRetrying {
			r.opts.Logger.Error("alert not delivered", "channel", ch.Name(), "group", n.GroupKey, "attempts", attempt, "error", err)
			return false
		}
		wait := backoff(p, attempt)
		if after > wait {
			wait = min(after, time.Hour)
		}
		if !r.sleep(ctx, wait) {
			return false
		}
	}
	return false
}

// backoff doubles from Initial up to Max, with up to 20% jitter so that
// many groups failing together do not retry in lockstep.
func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.Initial << (attempt - 1)
	if d <= 0 || d > p.Max {
		d = p.Max
	}
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}

// sleep waits on the router's clock, so tests move retries forward by hand.
func (r *Router) sleep(ctx context.Context, d time.Duration) bool {
	done := make(chan struct{})
	t := r.opts.Clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-ctx.Done():
		t.Stop()
		return false
	}
}

func (r *Router) recordDelivery(d Delivery, took time.Duration) {
	r.opts.Metrics.deliveries.WithLabelValues(d.Channel, d.Status).Inc()
	r.opts.Metrics.latency.WithLabelValues(d.Channel).Observe(took.Seconds())
	if err := r.opts.Store.AddDelivery(context.WithoutCancel(r.ctx), d); err != nil {
		r.opts.Logger.Error("alert router: record delivery", "channel", d.Channel, "error", err)
	}
}

// Test sends a test alert through the named channel at once, without
// grouping, retrying as usual, and returns the delivery log of the attempts.
func (r *Router) Test(ctx context.Context, channel string) ([]Delivery, error) {
	ch, ok := r.channels[channel]
	if !ok {
		return nil, &UnknownChannelError{Name: channel, Known: r.ChannelNames()}
	}
	now := r.now()
	a := Alert{
		Labels: Labels{LabelAlertName: "WardenTestAlert", LabelSource: "warden", LabelSeverity: "info"},
		Annotations: Labels{
			AnnotationSummary:     "Test alert from Warden",
			AnnotationDescription: "Sent by `warden alerts test` to check that the " + channel + " channel delivers. Nothing is wrong.",
		},
		StartsAt: now, UpdatedAt: now,
	}
	key := "test:" + channel + ":" + newID()
	n := &Notification{
		Receiver: channel, GroupKey: key, Status: Firing, GroupLabels: Labels{LabelAlertName: "WardenTestAlert"},
		CommonLabels: a.Labels, CommonAnnotations: a.Annotations, Alerts: []Alert{a},
		ExternalURL: r.opts.ExternalURL, Now: now, Test: true,
	}
	r.deliver(ctx, ch, n)
	return r.opts.Store.Deliveries(ctx, DeliveryFilter{Channel: channel, GroupKey: key, Limit: r.opts.Retry.MaxAttempts})
}

// UnknownChannelError names a channel that is not configured.
type UnknownChannelError struct {
	Name  string
	Known []string
}

func (e *UnknownChannelError) Error() string {
	return "no channel named " + quote(e.Name) + " (configured: " + joinOrNone(e.Known) + ")"
}
