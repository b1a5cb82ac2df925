// Command crmfake serves the HubSpot fake (softphone/crm/hubspot/hubspotfake)
// on a free loopback port for tests that drive Pitchline as a separate
// process (the frontend end-to-end tests). It prints the base URL as the
// first line on standard output and serves until SIGINT or SIGTERM, or until
// standard input closes (so it never outlives the test that started it).
//
// What the fake holds is readable at GET <url>/_fake/calls and
// <url>/_fake/tasks (JSON). With -seed it holds one contact (Olivia Grant,
// +1 555 010 0166, Grant Logistics) with one deal (Grant rollout, 9000).
//
// The CRM can be made unreachable and reachable again, as when the network
// drops: SIGUSR1 closes the listener and every open connection (clients
// get "connection refused") and prints "offline"; SIGUSR2 listens again on
// the same address and prints "online". The fake keeps its records.
//
// It is test-only: nothing in Pitchline imports it.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// listener serves the fake's handler on one address and can stop and
// start again on it.
type listener struct {
	addr    string
	handler http.Handler
	srv     *http.Server
	done    chan struct{}
}

// up listens on l.addr (127.0.0.1:0 the first time) and serves.
func (l *listener) up() error {
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger for a moment after down
		if ln, err = net.Listen("tcp", l.addr); err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	l.addr = ln.Addr().String()
	l.srv = &http.Server{Handler: l.handler, ReadHeaderTimeout: 10 * time.Second}
	l.done = make(chan struct{})
	go func(srv *http.Server, done chan struct{}) { defer close(done); _ = srv.Serve(ln) }(l.srv, l.done)
	return nil
}

// down closes the listener and every connection, and waits.
func (l *listener) down() {
	if l.srv == nil {
		return
	}
	l.srv.Close()
	<-l.done
	l.srv = nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("crmfake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	token := fs.String("token", "test-token", "the access token the fake accepts")
	seed := fs.Bool("seed", false, "seed one contact with a company and a deal")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	srv, err := hubspotfake.New(hubspotfake.WithToken(*token))
	if err != nil {
		fmt.Fprintln(stderr, "crmfake:", err)
		return 1
	}
	defer srv.Close()
	if *seed {
		co := srv.AddCompany(map[string]string{"name": "Grant Logistics", "domain": "grant-logistics.example"})
		ct := srv.AddContact(map[string]string{"firstname": "Olivia", "lastname": "Grant", "phone": "+1 555 010 0166",
			"email": "olivia@grant-logistics.example", "company": "Grant Logistics", "associatedcompanyid": co})
		srv.AddDeal(map[string]string{"dealname": "Grant rollout", "amount": "9000", "dealstage": "presentationscheduled"}, co, ct)
	}
	l := &listener{addr: "127.0.0.1:0", handler: srv.Handler()}
	if err := l.up(); err != nil {
		fmt.Fprintln(stderr, "crmfake:", err)
		return 1
	}
	defer l.down()
	sig := make(chan os.Signal, 4)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGUSR1, syscall.SIGUSR2)
	defer signal.Stop(sig)
	fmt.Fprintln(stdout, "http://"+l.addr)
	eof := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdin); close(eof) }()
	for {
		select {
		case s := <-sig:
			switch s {
			case syscall.SIGUSR1:
				l.down()
				fmt.Fprintln(stdout, "offline")
			case syscall.SIGUSR2:
				if l.srv == nil {
					if err := l.up(); err != nil {
						fmt.Fprintln(stderr, "crmfake:", err)
						return 1
					}
				}
				fmt.Fprintln(stdout, "online")
			default:
				return 0
			}
		case <-eof:
			return 0
		}
	}
}
