package app

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"

	"github.com/wailsapp/wails/v2/pkg/runtime"
)

// wireEvent is one catalogue event encoded for the SSE stream.
type wireEvent struct {
	name string
	data []byte
}

// subscriberBuffer is how many events a slow SSE client may lag behind
// before it is disconnected (it reloads and gets a fresh snapshot).
const subscriberBuffer = 512

// hub fans catalogue events out to the Wails runtime (window mode) and to
// every SSE client (browser mode). emit never blocks on a client.
type hub struct {
	log *slog.Logger

	mu       sync.Mutex
	wailsCtx context.Context
	subs     map[chan wireEvent]struct{}
}

func newHub(log *slog.Logger) *hub {
	return &hub{log: log, subs: make(map[chan wireEvent]struct{})}
}

// clearWails stops routing events into the Wails runtime.
func (h *hub) clearWails() {
	h.mu.Lock()
	h.wailsCtx = nil
	h.mu.Unlock()
}

// setWails routes events into the Wails runtime from now on.
func (h *hub) setWails(ctx context.Context) {
	h.mu.Lock()
	h.wailsCtx = ctx
	h.mu.Unlock()
}

// emit implements emitter.
func (h *hub) emit(name string, payload any) {
	h.mu.Lock()
	ctx := h.wailsCtx
	var data []byte
	if len(h.subs) > 0 {
		var err error
		if data, err = json.Marshal(payload); err != nil {
			h.mu.Unlock()
			h.log.Error("event not encodable", "event", name, "err", err)
			return
		}
	}
	for ch := range h.subs {
		select {
		case ch <- wireEvent{name, data}:
		default:
			delete(h.subs, ch)
			close(ch)
			h.log.Warn("event client too slow; disconnected", "event", name)
		}
	}
	h.mu.Unlock()
	if ctx != nil && ctx.Value("events") != nil {
		runtime.EventsEmit(ctx, name, payload)
	}
}

// subscribe adds an SSE client; cancel removes it. The channel closes when
// the client is removed.
func (h *hub) subscribe() (<-chan wireEvent, func()) {
	ch := make(chan wireEvent, subscriberBuffer)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		if _, ok := h.subs[ch]; ok {
			delete(h.subs, ch)
			close(ch)
		}
		h.mu.Unlock()
	}
}
