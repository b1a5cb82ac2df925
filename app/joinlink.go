package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pitchline/pitchline/softphone/webjoin"
)

// Join links: the rep hands a one-time link to someone who joins the call
// from a browser (softphone/webjoin serves the page and the WHIP-style
// offer endpoint; softphone.BrowserJoins adds the WebRTC leg). The server
// starts on the first link with Settings → Join links (joinsettings.go):
// by default on 127.0.0.1 over HTTP (a port the system picks); on a LAN
// address only with the explicit switch and HTTPS with the user's
// certificate and key. It restarts on the next link after a change and
// stops with the app.

// JoinLinkTTL is how long a join link made in the window stays usable.
const JoinLinkTTL = webjoin.DefaultTTL

// JoinLinkView is one join link as the window shows it.
type JoinLinkView struct {
	// URL is the link to hand over; it carries the page language (?lang=).
	URL string `json:"url"`
	// CallID is the call the link joins.
	CallID string `json:"callId"`
	// Expires is when the link stops working if unused (RFC 3339).
	Expires string `json:"expires"`
	// Network is true when the link works from other computers on the
	// network (Settings → Join links), false when only on this one.
	Network bool `json:"network"`
}

// joinLinks holds the join link server, started on first use.
type joinLinks struct {
	mu  sync.Mutex
	srv *webjoin.Server
}

// CreateJoinLink makes a one-time join link into call callID, valid for
// JoinLinkTTL. lang ("en" or "ja", the rep's UI language) is the page's
// language; the participant's browser language decides when it is "".
func (s *ConferenceService) CreateJoinLink(callID, lang string) (JoinLinkView, error) {
	if _, err := s.c.call(callID); err != nil {
		return JoinLinkView{}, err
	}
	switch lang {
	case "", "en", "ja":
	default:
		return JoinLinkView{}, fmt.Errorf("%w: the page language must be en or ja", ErrInvalidArgument)
	}
	srv, err := s.joinServer()
	if err != nil {
		return JoinLinkView{}, err
	}
	at := time.Now()
	url, err := srv.CreateLink(callID, JoinLinkTTL)
	if err != nil {
		return JoinLinkView{}, err
	}
	if lang != "" {
		url += "?lang=" + lang
	}
	return JoinLinkView{URL: url, CallID: callID, Expires: rfc3339(at.Add(JoinLinkTTL)), Network: !srv.Loopback()}, nil
}

// RevokeJoinLink makes an unused join link stop working at once. Someone
// who already joined through it stays; remove them from the participants.
func (s *ConferenceService) RevokeJoinLink(url string) (bool, error) {
	s.web.mu.Lock()
	srv := s.web.srv
	s.web.mu.Unlock()
	if srv == nil {
		return false, fmt.Errorf("%w: no join link was made", ErrInvalidArgument)
	}
	if err := srv.Revoke(strings.TrimSpace(url)); err != nil {
		if errors.Is(err, webjoin.ErrUnknownLink) || errors.Is(err, webjoin.ErrBadToken) {
			return false, fmt.Errorf("%w: %w", errJoinLinkGone, err)
		}
		return false, err
	}
	return true, nil
}

// errJoinLinkGone: the link was already revoked, expired long ago, or is
// not one of ours.
var errJoinLinkGone = errors.New("app: no such join link")

// joinServer returns the join link server, starting it with the saved
// setting the first time; it closes when the app stops.
func (s *ConferenceService) joinServer() (*webjoin.Server, error) {
	s.web.mu.Lock()
	defer s.web.mu.Unlock()
	if s.web.srv != nil {
		return s.web.srv, nil
	}
	c := s.c
	if c.ctx == nil || c.ctx.Err() != nil {
		return nil, ErrNotStarted
	}
	h := webjoin.HandlerFunc(func(ctx context.Context, j webjoin.Join) (string, io.Closer, error) {
		board, err := c.switchboard()
		if err != nil {
			return "", nil, err
		}
		_, line, err := board.Call(j.Link.Call)
		if err != nil {
			return "", nil, err
		}
		p, err := board.Phone(line)
		if err != nil {
			return "", nil, err
		}
		return p.BrowserJoins().Join(ctx, j)
	})
	srv, err := c.startJoinServer(h)
	if err != nil {
		return nil, err
	}
	if err := c.hold(); err != nil {
		_ = srv.Close()
		return nil, err
	}
	s.web.srv = srv
	go func() {
		defer c.wg.Done()
		<-c.ctx.Done()
		_ = srv.Close()
	}()
	return srv, nil
}
