package crm

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// fired is an After that fires at once and records the waits asked for.
type fired struct{ waits []time.Duration }

func (f *fired) after(d time.Duration) <-chan time.Time {
	f.waits = append(f.waits, d)
	ch := make(chan time.Time, 1)
	ch <- time.Time{}
	return ch
}

func TestReadWithRetry(t *testing.T) {
	burst := &RateLimitError{RetryAfter: 3 * time.Second}
	cases := []struct {
		name  string
		errs  []error // returned by successive reads; nil after the list
		calls int
		waits string
		want  error
	}{
		{"ok", nil, 1, "[]", nil},
		{"burst then ok", []error{burst}, 2, "[3s]", nil},
		{"transient backoff doubles", []error{ErrTransient, ErrTransient, &RateLimitError{}}, 4, "[500ms 1s 2s]", nil},
		{"daily stops", []error{&RateLimitError{Daily: true, RetryAfter: time.Hour}}, 1, "[]", ErrRateLimited},
		{"auth stops", []error{ErrAuth}, 1, "[]", ErrAuth},
		{"gives up", []error{ErrTransient, ErrTransient, ErrTransient, ErrTransient, ErrTransient, ErrTransient, ErrTransient}, MaxReadTries, "[500ms 1s 2s 4s 8s]", ErrTransient},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fired{}
			calls := 0
			err := ReadWithRetry(context.Background(), f.after, func() error {
				calls++
				if calls <= len(c.errs) {
					return c.errs[calls-1]
				}
				return nil
			})
			if calls != c.calls || fmt.Sprint(f.waits) != c.waits || (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("%d calls, waits %v, err %v", calls, f.waits, err)
			}
		})
	}
}

func TestReadWithRetryCancelledWhileWaiting(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	never := func(time.Duration) <-chan time.Time { cancel(); return nil }
	err := ReadWithRetry(ctx, never, func() error { return ErrTransient })
	if !errors.Is(err, context.Canceled) || !errors.Is(err, ErrTransient) {
		t.Fatalf("err %v", err)
	}
}
