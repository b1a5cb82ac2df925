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
// It is test-only: nothing in Pitchline imports it.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/pitchline/pitchline/softphone/crm/hubspot/hubspotfake"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
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
	if *seed {
		co := srv.AddCompany(map[string]string{"name": "Grant Logistics", "domain": "grant-logistics.example"})
		ct := srv.AddContact(map[string]string{"firstname": "Olivia", "lastname": "Grant", "phone": "+1 555 010 0166",
			"email": "olivia@grant-logistics.example", "company": "Grant Logistics", "associatedcompanyid": co})
		srv.AddDeal(map[string]string{"dealname": "Grant rollout", "amount": "9000", "dealstage": "presentationscheduled"}, co, ct)
	}
	url, err := srv.Start() // 127.0.0.1:0
	if err != nil {
		fmt.Fprintln(stderr, "crmfake:", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintln(stdout, url)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	eof := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, stdin); close(eof) }()
	select {
	case <-sig:
	case <-eof:
	}
	return 0
}
