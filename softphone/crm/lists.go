package crm

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// ListRef is one of a CRM's own call lists: a HubSpot contact list, a
// Pipedrive people filter, a Zendesk Sell contact or lead tag (Sell's
// smart lists are not in its API), a Zoho custom view.
type ListRef struct {
	// ID is the vendor's id of the list (HubSpot listId, Pipedrive filter
	// id, Sell tag id, Zoho cvid).
	ID string
	// Name is the list's name as the CRM shows it.
	Name string
	// Size is the number of records when the CRM says, else -1.
	Size int
	// Object is what the list holds ("contacts", "persons", "leads").
	Object string
}

// ListContact is one record of a pulled list, in fields the dialer needs.
type ListContact struct {
	// ID is the vendor's record id.
	ID string
	// FirstName, LastName and Name (the display name, from the two when
	// the vendor has no single name field).
	FirstName, LastName, Name string
	Company, Email            string
	// Phones are the record's numbers, the primary one first; Label is
	// the kind ("work", "mobile", "home", or the vendor's label).
	Phones []Phone
	// TimeZone is an IANA zone name when the record has one.
	TimeZone string
	// DoNotCall is the CRM's own do-not-call flag, when it has one and
	// the adapter was told which field holds it.
	DoNotCall bool
}

// DisplayName returns Name, else "First Last", else the first phone, else
// the record id.
func (c ListContact) DisplayName() string {
	if c.Name != "" {
		return c.Name
	}
	if n := joinName(c.FirstName, c.LastName); n != "" {
		return n
	}
	if len(c.Phones) > 0 {
		return c.Phones[0].Number
	}
	return c.ID
}

func joinName(first, last string) string {
	switch {
	case first == "":
		return last
	case last == "":
		return first
	}
	return first + " " + last
}

// ListSource is implemented by adapters whose CRM has saved lists the
// dialer can work through.
type ListSource interface {
	// Vendor names the CRM.
	Vendor() Vendor
	// Lists returns the CRM's contact lists.
	Lists(ctx context.Context) ([]ListRef, error)
	// PullList reads every record of list id, page by page, calling
	// progress (when non-nil) after each page with the records read so
	// far and the total (-1 when the CRM does not say). Records without
	// a phone number are returned too, so that the caller can report
	// them. Burst rate limits and transient failures are waited through
	// (reads are safe to repeat); ErrAuth, ErrForbidden, ErrNotFound,
	// a daily limit and repeated failures end the pull.
	PullList(ctx context.Context, id string, progress func(done, total int)) ([]ListContact, error)
}

// MaxReadTries bounds how many times ReadWithRetry sends one read.
const MaxReadTries = 6

// ReadWithRetry runs read until it succeeds, waiting after a burst rate
// limit for the vendor's Retry-After (or a backoff from 500 ms doubling
// to 30 s when it gave none) and after a transient failure for the
// backoff. A daily limit, any other error, a cancelled ctx, or
// MaxReadTries failures end it with the last error. after is the clock
// (time.After in production).
func ReadWithRetry(ctx context.Context, after func(time.Duration) <-chan time.Time, read func() error) error {
	backoff := 500 * time.Millisecond
	var err error
	for try := 1; ; try++ {
		if err = read(); err == nil || !Retryable(err) || try >= MaxReadTries {
			break
		}
		wait := backoff
		var rl *RateLimitError
		if errors.As(err, &rl) {
			if rl.Daily {
				break
			}
			if rl.RetryAfter > 0 {
				wait = rl.RetryAfter
			}
		}
		backoff = min(2*backoff, 30*time.Second)
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (while waiting to retry: %w)", ctx.Err(), err)
		case <-after(wait):
		}
	}
	return err
}
