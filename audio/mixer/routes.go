package mixer

import (
	"fmt"
	"strconv"
)

// Node names a talker and listener in the mix: Local (the device) or one
// port. A port's Node is unique within its mixer and never reused while the
// mixer lives, so a stale Node names nothing rather than another port.
type Node int

// Local is the local user: what Local says is the device microphone, what
// Local hears goes to the device speaker.
const Local Node = 0

// String returns "local" or "port N".
func (n Node) String() string {
	if n == Local {
		return "local"
	}
	return "port " + strconv.Itoa(int(n))
}

// edge is one route of the matrix: listener hears talker.
type edge struct{ listener, talker Node }

// Routes is a pending set of route changes, handed to the function given to
// Mixer.Update. Its changes reach the mix together at one tick boundary, or
// not at all if any of them fails. A Routes is only valid inside that
// function.
type Routes struct {
	m   *Mixer
	err error // the first error; Update then applies nothing
}

// SetHears turns on (or off) the route by which listener hears talker. A
// node never hears itself: SetHears(n, n, true) is an error, (n, n, false)
// is a no-op. Unknown nodes (never added, or removed) are an error.
func (r *Routes) SetHears(listener, talker Node, on bool) error {
	if r.err != nil {
		return r.err
	}
	if err := r.m.checkNode(listener); err != nil {
		r.err = err
		return err
	}
	if err := r.m.checkNode(talker); err != nil {
		r.err = err
		return err
	}
	if listener == talker {
		if !on {
			return nil
		}
		r.err = fmt.Errorf("mixer: %v hearing itself: %w", listener, ErrSelfRoute)
		return r.err
	}
	r.m.pending[edge{listener, talker}] = on
	return nil
}

// Hears reports whether listener hears talker once the changes made so far
// in this Routes are applied (connection state aside).
func (r *Routes) Hears(listener, talker Node) bool {
	if on, ok := r.m.pending[edge{listener, talker}]; ok {
		return on
	}
	return r.m.hearsLocked(listener, talker)
}

// MixMinus routes every one of nodes to every other one: each hears all the
// others but not itself (a conference). Routes to and from nodes outside
// the list are left as they are.
func (r *Routes) MixMinus(nodes ...Node) error {
	for _, a := range nodes {
		for _, b := range nodes {
			if a != b {
				if err := r.SetHears(a, b, true); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// Isolate turns off every route to and from n: n hears nothing and nobody
// hears n.
func (r *Routes) Isolate(n Node) error {
	if r.err != nil {
		return r.err
	}
	if err := r.m.checkNode(n); err != nil {
		r.err = err
		return err
	}
	for _, o := range r.m.nodesLocked() {
		if o != n {
			r.m.pending[edge{n, o}] = false
			r.m.pending[edge{o, n}] = false
		}
	}
	return nil
}

// Update runs fn with a Routes and applies all the changes fn made at once,
// between two ticks: no frame is mixed with only part of them. If one of
// fn's Routes calls failed, nothing is applied and Update returns the first
// error. Routes that turn on or off fade over one
// frame. fn runs with the mixer locked: it must be quick and must not call
// the Mixer's or its Ports' methods.
func (m *Mixer) Update(fn func(r *Routes)) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return fmt.Errorf("mixer: update: %w", ErrClosed)
	}
	clear(m.pending)
	r := &Routes{m: m}
	fn(r)
	if err := r.err; err != nil {
		clear(m.pending)
		return err
	}
	for e, on := range m.pending {
		m.setLocked(e, on)
	}
	clear(m.pending)
	return nil
}

// SetHears turns on (or off) the route by which listener hears talker, from
// the next tick, with a one-frame fade. Use Update for several changes
// that must take effect together.
func (m *Mixer) SetHears(listener, talker Node, on bool) error {
	return m.Update(func(r *Routes) { r.SetHears(listener, talker, on) })
}

// Hears reports whether listener is routed to hear talker. A route holds
// whether or not the ports are connected (Port.SetConnected): a
// disconnected port is neither heard nor hears, whatever its routes.
func (m *Mixer) Hears(listener, talker Node) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.hearsLocked(listener, talker)
}

// checkNode returns an error for a node that is not in the mixer (m.mu
// held).
func (m *Mixer) checkNode(n Node) error {
	if n == Local {
		return nil
	}
	if _, ok := m.nodes[n]; !ok {
		return fmt.Errorf("mixer: %v: %w", n, ErrUnknownNode)
	}
	return nil
}

// listenerOf returns the listener state of n, nil if n is unknown (m.mu
// held).
func (m *Mixer) listenerOf(n Node) (*listener, int) {
	if n == Local {
		return &m.local, 0
	}
	p := m.nodes[n]
	if p == nil {
		return nil, -1
	}
	return &p.ls, p.slot
}

func (m *Mixer) hearsLocked(listener, talker Node) bool {
	l, _ := m.listenerOf(listener)
	_, t := m.listenerOf(talker)
	if l == nil || t < 0 {
		return false
	}
	return l.route[t/64]&(1<<(t%64)) != 0
}

func (m *Mixer) setLocked(e edge, on bool) {
	l, _ := m.listenerOf(e.listener)
	_, t := m.listenerOf(e.talker)
	if l == nil || t < 0 || e.listener == e.talker {
		return
	}
	if on {
		l.route[t/64] |= 1 << (t % 64)
	} else {
		l.route[t/64] &^= 1 << (t % 64)
	}
}

// nodesLocked lists Local and every port's node (m.mu held). It allocates;
// it is not for the tick.
func (m *Mixer) nodesLocked() []Node {
	ns := make([]Node, 0, len(m.ports)+1)
	ns = append(ns, Local)
	for _, p := range m.ports {
		if !p.leaving {
			ns = append(ns, p.node)
		}
	}
	return ns
}
