package sync

import (
	"context"

	"github.com/pitchline/pitchline/softphone/store"
)

// RetryNow is "Sync now": it forgets the worker's backoff, makes the CRM's
// pending items that wait for a retry due at once and kicks Run. It returns
// how many items it moved.
//
// Items whose create result is unknown are not hurried into a duplicate:
// an uncertain item (left in flight by another process) keeps its
// schedule, and an item whose last request may have reached the CRM (its
// reason starts with UnknownResultPrefix, e.g. after a lost response) does
// not become due before its last attempt plus WithCheckDelay, the CRM's
// search index lag, so that the FindCalls lookup made before creating it
// again finds it. That time is read from the store's clock, which must
// agree with the worker's (both are the wall clock in the app).
//
// While the CRM's daily limit pauses the worker, the moved items still
// wait for the pause to end.
func (w *Worker) RetryNow(ctx context.Context) (int, error) {
	now := w.clock.Now()
	n, err := w.st.BringForward(ctx, w.sv, now, store.UnknownResult{Prefix: UnknownResultPrefix, Lag: w.checkDelay})
	if err != nil {
		return 0, err
	}
	w.resetBackoff()
	w.log.Info("sync now", "moved", n)
	w.Kick()
	return n, nil
}
