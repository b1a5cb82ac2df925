package app

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/crm"
	crmsync "github.com/pitchline/pitchline/softphone/crm/sync"
	"github.com/pitchline/pitchline/softphone/crm/vendors"
	"github.com/pitchline/pitchline/softphone/secret"
	"github.com/pitchline/pitchline/softphone/store"
)

// The connected CRM inside the app: its token lives in the OS keychain
// (the same entry `pitchline crm connect` writes), its base URL and account
// name in the store's settings, and one sync worker (softphone/crm/sync)
// runs for it while the app runs: kicked after each saved form, pulling
// contacts, companies and deals every 24 h, and waiting for a new token
// ("reconnect your CRM") when the CRM refuses the old one, with the queue
// kept. EvSync reports every status change.

// CRMKeychainService is the OS keychain service CRM tokens live under (the
// command line's too); the account is "crm:<vendor>".
const CRMKeychainService = vendors.KeychainService

// Error codes of the CRM services.
const (
	// CodeCRMAuth means the CRM refused the token: reconnect it.
	CodeCRMAuth = "crm_auth"
	// CodeCRMForbidden means the token is valid but lacks a permission.
	CodeCRMForbidden = "crm_forbidden"
	// CodeCRMUnreachable means the CRM could not be reached or throttled us.
	CodeCRMUnreachable = "crm_unreachable"
	// CodeCRMBadResponse means the CRM answered with something unreadable.
	CodeCRMBadResponse = "crm_bad_response"
	// CodeCRMNotConnected means no CRM is connected.
	CodeCRMNotConnected = "crm_not_connected"
)

// ErrCRMNotConnected is returned when an operation needs a connected CRM.
var ErrCRMNotConnected = errors.New("app: no CRM is connected (Settings → CRM)")

// checkTimeout bounds the token check and other interactive CRM requests.
const checkTimeout = 20 * time.Second

// CRMConnectInput is what the CRM settings panel sends to connect.
type CRMConnectInput struct {
	// Vendor is hubspot, pipedrive, sell or zoho.
	Vendor string `json:"vendor"`
	// BaseURL overrides the vendor's API host ("" = the vendor's default).
	BaseURL string `json:"baseUrl"`
	// Token is the API token; it goes to the OS keychain only.
	Token string `json:"token"`
}

// CRMStatus is the connected CRM's state for the settings panel and the
// sync badge.
type CRMStatus struct {
	// Vendor is the connected CRM ("" when none).
	Vendor string `json:"vendor"`
	// Connected is true while a CRM is connected (even when it needs a new
	// token or is unreachable).
	Connected bool `json:"connected"`
	// Reconnect is true when the token was refused or is missing: the rep
	// must reconnect; the queue is kept.
	Reconnect bool `json:"reconnect"`
	// Account is the CRM account name found when connecting.
	Account string `json:"account"`
	// BaseURL is the API base URL ("" = the vendor's default).
	BaseURL string `json:"baseUrl"`
	// State is the worker state: idle, syncing, backoff, paused or reconnect.
	State string `json:"state"`
	// Reason says why the worker waits or stopped.
	Reason string `json:"reason"`
	// Until is when a wait ends (RFC 3339, "" when not waiting).
	Until string `json:"until"`
	// Pending counts items waiting to be sent (calls and tasks).
	Pending int `json:"pending"`
	// Failed counts items that need a person (retry them).
	Failed int `json:"failed"`
	// Synced counts items sent.
	Synced int `json:"synced"`
	// Sent counts the items synced since the queue was last empty: the
	// progress of the current drain ("Syncing Sent of Total"). It only
	// grows until the queue is empty again.
	Sent int `json:"sent"`
	// Total is Sent plus Pending: the size of the current drain (it grows
	// when calls are saved while the queue drains or the CRM is offline).
	Total int `json:"total"`
	// Offline is true when the CRM could not be reached (network down,
	// timeout, server error): the queue is kept and the worker retries at
	// Until. It is false for a refused token (Reconnect) and rate limits.
	Offline bool `json:"offline"`
	// LastPush is when an item was last synced (RFC 3339).
	LastPush string `json:"lastPush"`
	// LastPull is when contacts were last pulled (RFC 3339).
	LastPull string `json:"lastPull"`
	// Pulled counts the records per kind of the last pull.
	Pulled map[string]int `json:"pulled"`
}

// FailedItemView is an outbox item that failed for good.
type FailedItemView struct {
	// ID is the outbox item.
	ID int64 `json:"id"`
	// Vendor is the CRM.
	Vendor string `json:"vendor"`
	// Kind is "call" or "task".
	Kind string `json:"kind"`
	// CallID is the call (for a task: the call it follows).
	CallID string `json:"callId"`
	// Error is the CRM's reason.
	Error string `json:"error"`
	// Attempts counts the sends.
	Attempts int `json:"attempts"`
	// Direction is the call's direction (inbound or outbound).
	Direction string `json:"direction"`
	// Number is the other party's number.
	Number string `json:"number"`
	// Name is the other party's contact name ("" when unknown).
	Name string `json:"name"`
	// Started is when the call began (RFC 3339).
	Started string `json:"started"`
	// Task is the follow-up task's title (kind "task").
	Task string `json:"task"`
}

// crmRuntime is the core's connected CRM and its sync worker.
type crmRuntime struct {
	mu      sync.Mutex
	vendor  crm.Vendor
	adapter crm.Adapter
	worker  *crmsync.Worker
	cancel  context.CancelFunc
	done    chan struct{}
	reason  string // why no worker runs for a connected vendor
	secrets *secret.Store
	// unmappedSaid holds the outcomes the rep was told have no CRM
	// mapping (noteUnmapped), for the running worker.
	unmappedSaid map[string]bool

	// workerOpts are extra sync worker options (tests: short backoffs).
	workerOpts []crmsync.Option

	// Drain progress: base is the synced count when the current drain
	// began (the queue was last seen empty), lastPending the pending count
	// of the last status built. Guarded by mu.
	base        int
	baseSet     bool
	lastPending int

	// Reachability (see noteProgress), guarded by mu.
	lastPush   time.Time
	reachable  bool
	graceUntil time.Time
	graceSet   bool

	// emitMu serialises building (and emitting) statuses, so the outbox
	// counts are read, and EvSync events go out, in one order: Sent never
	// goes back. Taken before mu.
	emitMu sync.Mutex
}

// adapterNow returns the connected CRM's adapter.
func (r *crmRuntime) adapterNow() (crm.Adapter, crm.Vendor, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.adapter == nil {
		return nil, r.vendor, codedError{CodeCRMNotConnected, ErrCRMNotConnected}
	}
	return r.adapter, r.vendor, nil
}

func crmAccountKey(v crm.Vendor) string { return vendors.KeychainAccount(v) }
func crmBaseURLKey(v crm.Vendor) string { return vendors.BaseURLSetting(v) }
func crmNameKey(v crm.Vendor) string    { return "crm." + string(v) + ".account" }

// parseVendor validates a vendor name.
func parseVendor(s string) (crm.Vendor, error) {
	v, err := vendors.Parse(strings.ToLower(strings.TrimSpace(s)))
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	return v, nil
}

// checkBaseURL accepts "" (the vendor's default), any https URL, and http
// only on loopback (a local fake or proxy): a token never travels in clear
// text over a network.
func checkBaseURL(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if s == "" {
		return "", nil
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%w: base URL %q is not an absolute URL", ErrInvalidArgument, s)
	}
	switch u.Scheme {
	case "https":
		return s, nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
			return s, nil
		}
	}
	return "", fmt.Errorf("%w: base URL %q must be https (http only on this computer)", ErrInvalidArgument, s)
}

// newCRMAdapter builds the vendor's adapter ("" keeps the vendor's host),
// the same way the command line does (softphone/crm/vendors).
func newCRMAdapter(v crm.Vendor, token, baseURL string) (crm.Adapter, error) {
	a, err := vendors.New(v, token, baseURL)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidArgument, err)
	}
	return a, nil
}

// crmErr gives a CRM failure its frontend code.
func crmErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, crm.ErrAuth):
		return codedError{CodeCRMAuth, err}
	case errors.Is(err, crm.ErrForbidden):
		return codedError{CodeCRMForbidden, err}
	case errors.Is(err, crm.ErrTransient), errors.Is(err, crm.ErrRateLimited):
		return codedError{CodeCRMUnreachable, err}
	case errors.Is(err, crm.ErrBadResponse):
		return codedError{CodeCRMBadResponse, err}
	}
	return err
}

// crmSecrets returns the keychain store for CRM tokens.
func (c *core) crmSecrets() (*secret.Store, error) {
	c.crm.mu.Lock()
	defer c.crm.mu.Unlock()
	if c.crm.secrets != nil {
		return c.crm.secrets, nil
	}
	s, err := secret.New(CRMKeychainService, secret.WithLogger(c.cfg.logger))
	if err != nil {
		return nil, err
	}
	c.crm.secrets = s
	return s, nil
}

// startCRM starts the sync worker of the CRM connected in the store (its
// token from the keychain) and restores forms left open by the last run.
func (c *core) startCRM() {
	c.restoreForms()
	vs, err := c.st.ConnectedVendors(c.ctx)
	if err != nil || len(vs) == 0 {
		return
	}
	v := crmsync.CRMVendor(vs[0])
	c.crm.mu.Lock()
	c.crm.vendor = v
	c.crm.mu.Unlock()
	ks, err := c.crmSecrets()
	if err != nil {
		c.setCRMReason(err.Error())
		return
	}
	token, err := ks.Get(crmAccountKey(v))
	if err != nil {
		c.log.Warn("CRM token not available; reconnect needed", "vendor", v, "err", err)
		c.setCRMReason("no token in the keychain: " + err.Error())
		return
	}
	base, _, _ := c.st.GetSetting(c.ctx, crmBaseURLKey(v))
	a, err := newCRMAdapter(v, token, base)
	if err != nil {
		c.setCRMReason(err.Error())
		return
	}
	if err := c.runWorker(a); err != nil {
		c.setCRMReason(err.Error())
	}
}

func (c *core) setCRMReason(reason string) {
	c.crm.mu.Lock()
	c.crm.reason = reason
	c.crm.mu.Unlock()
}

// runWorker replaces the running sync worker with one for a. The worker
// goroutine is tracked by core.wg and stops with core.ctx (close waits)
// or with stopWorker.
func (c *core) runWorker(a crm.Adapter) error {
	c.stopWorker()
	var w *crmsync.Worker // set before Run starts, the only caller of the callback
	opts := append([]crmsync.Option{crmsync.WithLogger(c.cfg.logger),
		crmsync.WithProgress(func(p crmsync.Progress) {
			c.crm.noteProgress(p, w.Status().LastPush)
			if len(p.Unmapped) > 0 {
				c.noteUnmapped(p.Vendor, p.Unmapped)
			}
			c.emitSync()
		})}, c.crm.workerOpts...)
	w, err := crmsync.New(c.st, a, opts...)
	if err != nil {
		return err
	}
	if c.ctx.Err() != nil {
		return c.ctx.Err()
	}
	ctx, cancel := context.WithCancel(c.ctx)
	done := make(chan struct{})
	c.crm.mu.Lock()
	c.crm.vendor, c.crm.adapter, c.crm.worker, c.crm.cancel, c.crm.done, c.crm.reason = a.Vendor(), a, w, cancel, done, ""
	c.crm.baseSet, c.crm.reachable, c.crm.graceSet, c.crm.lastPush = false, false, false, time.Time{}
	c.crm.unmappedSaid = nil
	c.crm.mu.Unlock()
	if err := c.hold(); err != nil {
		cancel()
		close(done)
		return err
	}
	go func() {
		defer c.wg.Done()
		defer close(done)
		if err := w.Run(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("CRM sync stopped", "vendor", a.Vendor(), "err", err)
		}
	}()
	return nil
}

// stopWorker stops the sync worker, if any, and waits for it.
func (c *core) stopWorker() {
	c.crm.mu.Lock()
	cancel, done := c.crm.cancel, c.crm.done
	c.crm.worker, c.crm.adapter, c.crm.cancel, c.crm.done = nil, nil, nil, nil
	c.crm.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// kickSync wakes the worker (after a saved form or a retry).
func (c *core) kickSync() {
	c.crm.mu.Lock()
	w := c.crm.worker
	c.crm.mu.Unlock()
	if w != nil {
		w.Kick()
	}
}

// crmStatus builds the CRM status.
func (c *core) crmStatus() CRMStatus {
	c.crm.emitMu.Lock()
	defer c.crm.emitMu.Unlock()
	return c.crmStatusLocked()
}

// crmStatusLocked builds the CRM status; c.crm.emitMu is held, so the
// outbox counts are read in order (see crmRuntime.progress).
func (c *core) crmStatusLocked() CRMStatus {
	s := CRMStatus{Pulled: map[string]int{}}
	if c.st == nil {
		return s
	}
	c.crm.mu.Lock()
	v, w, reason := c.crm.vendor, c.crm.worker, c.crm.reason
	c.crm.mu.Unlock()
	if v == "" {
		return s
	}
	s.Vendor, s.Connected = string(v), true
	s.BaseURL, _, _ = c.st.GetSetting(c.ctx, crmBaseURLKey(v))
	s.Account, _, _ = c.st.GetSetting(c.ctx, crmNameKey(v))
	if counts, err := c.st.OutboxCounts(c.ctx); err == nil {
		n := counts[crmsync.StoreVendor(v)]
		s.Pending = n[store.OutboxPending] + n[store.OutboxInFlight]
		s.Failed, s.Synced = n[store.OutboxFailed], n[store.OutboxSynced]
		s.Sent, s.Total = c.crm.progress(s.Pending, s.Synced)
	}
	if w == nil {
		s.State, s.Reason, s.Reconnect = string(crmsync.StateReconnect), reason, true
		if last, _, counts, err := c.st.SyncState(c.ctx, crmsync.StoreVendor(v)); err == nil {
			s.LastPull = rfc3339(last)
			for k, n := range counts {
				s.Pulled[k] = n
			}
		}
		return s
	}
	ws := w.Status()
	s.State, s.Reason, s.Until = string(ws.State), ws.Reason, rfc3339(ws.Until)
	s.Reconnect = ws.State == crmsync.StateReconnect
	c.crm.mu.Lock()
	s.Offline = transientWait(ws.State, ws.Reason) && !c.crm.reachable
	c.crm.mu.Unlock()
	s.LastPush, s.LastPull = rfc3339(ws.LastPush), rfc3339(ws.LastPull)
	for k, n := range ws.Pulled {
		s.Pulled[k] = n
	}
	return s
}

// progress returns the current drain's progress from the outbox counts:
// a drain begins when items are pending after the queue was seen empty
// (or when the worker started), and sent counts what was synced since.
// Synced counts only grow, so sent only grows until the drain ends.
func (r *crmRuntime) progress(pending, synced int) (sent, total int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.baseSet || (r.lastPending == 0 && pending > 0) || synced < r.base {
		r.base, r.baseSet = synced, true
	}
	r.lastPending = pending
	sent = synced - r.base
	return sent, sent + pending
}

// transientWait reports whether the worker waits after a failure to reach
// the CRM (network, timeout, server error), not a rate limit.
func transientWait(st crmsync.State, reason string) bool {
	return st == crmsync.StateBackoff && strings.Contains(reason, crm.ErrTransient.Error())
}

// noteProgress follows whether the CRM answers, from the worker's progress
// reports: an item synced (lastPush moved) proves it reachable; after
// that, the worker waiting for the next item's retry (the same wait time
// reported again) is not an outage, but a wait that starts later (a new
// failure pushed an item back) is. Offline is then the transient wait of
// an unreachable CRM.
func (r *crmRuntime) noteProgress(p crmsync.Progress, lastPush time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !lastPush.Equal(r.lastPush) {
		r.lastPush, r.reachable, r.graceSet = lastPush, true, false
	}
	if !r.reachable || !transientWait(p.State, p.Reason) {
		return
	}
	if !r.graceSet {
		r.graceUntil, r.graceSet = p.Until, true
	} else if !p.Until.Equal(r.graceUntil) {
		r.reachable = false
	}
}

// emitSync emits EvSync with the current status and returns it.
func (c *core) emitSync() CRMStatus {
	if c.st == nil {
		return CRMStatus{}
	}
	c.crm.emitMu.Lock()
	defer c.crm.emitMu.Unlock()
	s := c.crmStatusLocked()
	emit(c.out, EvSync, s)
	return s
}

// connectCRM checks the token, keeps it in the keychain, and starts
// syncing to the CRM (replacing another connected CRM).
func (c *core) connectCRM(in CRMConnectInput) (CRMStatus, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return CRMStatus{}, err
	}
	v, err := parseVendor(in.Vendor)
	if err != nil {
		return CRMStatus{}, err
	}
	base, err := checkBaseURL(in.BaseURL)
	if err != nil {
		return CRMStatus{}, err
	}
	token := strings.TrimSpace(in.Token)
	if token == "" {
		return CRMStatus{}, fmt.Errorf("%w: paste the CRM's API token", ErrInvalidArgument)
	}
	if len(token) > 8<<10 {
		return CRMStatus{}, fmt.Errorf("%w: the token is longer than 8 KB", ErrInvalidArgument)
	}
	a, err := newCRMAdapter(v, token, base)
	if err != nil {
		return CRMStatus{}, err
	}
	ctx, cancel := context.WithTimeout(c.ctx, checkTimeout)
	defer cancel()
	acct, err := a.Check(ctx)
	if err != nil {
		return CRMStatus{}, crmErr(fmt.Errorf("checking the %s token: %w", v, err))
	}
	ks, err := c.crmSecrets()
	if err != nil {
		return CRMStatus{}, err
	}
	if err := ks.Set(crmAccountKey(v), token); err != nil {
		return CRMStatus{}, err
	}
	c.crm.mu.Lock()
	old := c.crm.vendor
	c.crm.mu.Unlock()
	if old != "" && old != v {
		c.stopWorker()
		if err := st.DisconnectVendor(c.ctx, crmsync.StoreVendor(old)); err != nil {
			return CRMStatus{}, err
		}
	}
	if err := st.ConnectVendor(c.ctx, crmsync.StoreVendor(v)); err != nil {
		return CRMStatus{}, err
	}
	if base != "" {
		err = st.SetSetting(c.ctx, crmBaseURLKey(v), base)
	} else {
		err = st.DeleteSetting(c.ctx, crmBaseURLKey(v))
	}
	if err != nil {
		return CRMStatus{}, err
	}
	name := acct.Name
	if name == "" {
		name = acct.ID
	}
	if err := st.SetSetting(c.ctx, crmNameKey(v), name); err != nil {
		return CRMStatus{}, err
	}
	c.autoMap(ctx, a)
	if err := c.runWorker(a); err != nil {
		return CRMStatus{}, err
	}
	c.log.Info("CRM connected", "vendor", v, "account", name, "base_url", base)
	return c.emitSync(), nil
}

// disconnectCRM stops syncing and deletes the token; queued items stay.
func (c *core) disconnectCRM() (CRMStatus, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return CRMStatus{}, err
	}
	c.crm.mu.Lock()
	v := c.crm.vendor
	c.crm.mu.Unlock()
	if v == "" {
		return c.crmStatus(), nil
	}
	c.stopWorker()
	if err := st.DisconnectVendor(c.ctx, crmsync.StoreVendor(v)); err != nil {
		return CRMStatus{}, err
	}
	if ks, err := c.crmSecrets(); err == nil {
		if err := ks.Delete(crmAccountKey(v)); err != nil && !errors.Is(err, secret.ErrNotFound) {
			c.log.Warn("CRM token not deleted from the keychain", "vendor", v, "err", err)
		}
	}
	c.crm.mu.Lock()
	c.crm.vendor, c.crm.reason = "", ""
	c.crm.mu.Unlock()
	c.log.Info("CRM disconnected", "vendor", v)
	return c.emitSync(), nil
}

// syncNow pulls contacts, companies and deals and drains the queue now.
func (c *core) syncNow() (CRMStatus, error) {
	c.crm.mu.Lock()
	w, done := c.crm.worker, c.crm.done
	c.crm.mu.Unlock()
	if w == nil {
		return CRMStatus{}, codedError{CodeCRMNotConnected, ErrCRMNotConnected}
	}
	ctx, cancel := context.WithCancel(c.ctx)
	if err := c.hold(); err != nil {
		cancel()
		return CRMStatus{}, err
	}
	go func() {
		defer c.wg.Done()
		defer cancel()
		go func() { // stop pulling when the worker is replaced
			select {
			case <-done:
				cancel()
			case <-ctx.Done():
			}
		}()
		if _, err := w.Pull(ctx, false); err != nil && ctx.Err() == nil {
			c.log.Warn("CRM pull", "err", err)
			p := classifyError(crmErr(err))
			emit(c.out, EvNotice, Notice{Level: "warning", Code: "crm_pull", Message: "CRM sync: " + p.Message, Error: &p})
		}
		w.Kick()
		c.emitSync()
	}()
	if _, err := w.RetryNow(c.ctx); err != nil { // items waiting for a retry go now
		c.log.Warn("CRM sync now", "err", err)
	}
	w.Kick()
	return c.crmStatus(), nil
}

// retryCall queues a call's failed items (and its tasks') again.
func (c *core) retryCall(callID string) (CRMStatus, error) {
	st, err := c.storeOrErr()
	if err != nil {
		return CRMStatus{}, err
	}
	if callID == "" {
		return CRMStatus{}, fmt.Errorf("%w: empty call id", ErrInvalidArgument)
	}
	items, err := st.ItemsFor(c.ctx, store.KindCall, callID)
	if err != nil {
		return CRMStatus{}, err
	}
	tasks, err := st.TasksForCall(c.ctx, callID)
	if err != nil {
		return CRMStatus{}, err
	}
	for _, t := range tasks {
		more, err := st.ItemsFor(c.ctx, store.KindTask, t.ID)
		if err != nil {
			return CRMStatus{}, err
		}
		items = append(items, more...)
	}
	n := 0
	for _, it := range items {
		if it.State != store.OutboxFailed {
			continue
		}
		if err := st.Retry(c.ctx, it.ID); err != nil {
			return CRMStatus{}, err
		}
		n++
	}
	if n == 0 {
		return CRMStatus{}, fmt.Errorf("%w: nothing failed for call %s", ErrInvalidArgument, callID)
	}
	c.kickSync()
	c.emitSync()
	return c.crmStatus(), nil
}

// CrmService connects the CRM and shows and drives its sync.
type CrmService struct{ c *core }

// Connect checks the token against the CRM, keeps it in the OS keychain
// (never in files or the store) and starts syncing.
func (s *CrmService) Connect(in CRMConnectInput) (CRMStatus, error) { return s.c.connectCRM(in) }

// Disconnect stops syncing and deletes the token; queued items are kept
// (they are sent if the CRM is connected again).
func (s *CrmService) Disconnect() (CRMStatus, error) { return s.c.disconnectCRM() }

// Status returns the CRM's sync status.
func (s *CrmService) Status() (CRMStatus, error) {
	if _, err := s.c.storeOrErr(); err != nil {
		return CRMStatus{}, err
	}
	return s.c.crmStatus(), nil
}

// SyncNow pulls contacts, companies and deals and sends what is pending.
func (s *CrmService) SyncNow() (CRMStatus, error) { return s.c.syncNow() }

// Retry sends a call's failed items (the call and its task) again.
func (s *CrmService) Retry(callID string) (CRMStatus, error) { return s.c.retryCall(callID) }

// RetryAll sends every failed item again.
func (s *CrmService) RetryAll() (CRMStatus, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return CRMStatus{}, err
	}
	items, err := st.ItemsIn(s.c.ctx, store.OutboxFailed, 1000)
	if err != nil {
		return CRMStatus{}, err
	}
	for _, it := range items {
		if err := st.Retry(s.c.ctx, it.ID); err != nil {
			return CRMStatus{}, err
		}
	}
	s.c.kickSync()
	s.c.emitSync()
	return s.c.crmStatus(), nil
}

// Failed lists the items that failed for good, with the CRM's reasons.
func (s *CrmService) Failed() ([]FailedItemView, error) {
	st, err := s.c.storeOrErr()
	if err != nil {
		return nil, err
	}
	items, err := st.ItemsIn(s.c.ctx, store.OutboxFailed, 200)
	if err != nil {
		return nil, err
	}
	out := make([]FailedItemView, 0, len(items))
	for _, it := range items {
		f := FailedItemView{ID: it.ID, Vendor: string(it.Vendor), Kind: it.Kind, CallID: it.RefID, Error: it.LastError, Attempts: it.Attempts}
		if it.Kind == store.KindTask {
			if t, err := st.Task(s.c.ctx, it.RefID); err == nil {
				f.CallID, f.Task = t.CallID, t.Title
			}
		}
		if rec, err := st.Call(s.c.ctx, f.CallID); err == nil {
			h := historyEntry(rec, CallerIDView{})
			f.Direction, f.Number, f.Started = h.Direction, h.Number, h.Started
			f.Name = s.c.callerID(h.Number).Name
		}
		out = append(out, f)
	}
	return out, nil
}
