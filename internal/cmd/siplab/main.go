// Command siplab starts the SIP lab of internal/testlab (Kamailio as
// registrar and proxy on 127.0.0.1, and a baresip customer) for tests that
// drive Pitchline as separate processes: the frontend end-to-end tests,
// which otherwise only have the demo line.
//
// It prints one JSON line on standard output once everything is up:
//
//	{"registrar":"127.0.0.1:PORT","users":{"alice":"alicepw",...},"customer":"bob"}
//
// registrar is Kamailio's UDP/TCP address; users are the subscribers it
// knows (user name -> digest password; "bob" is taken by the customer);
// customer is the user name of the baresip peer registered there, which
// answers every call at once and sends a 400 Hz tone.
//
// Then it reads commands, one a line, from standard input:
//
//	wait USER   answers "registered USER" once USER has a contact at
//	            Kamailio (or "error USER: ..." after 60 s)
//
// It stops everything it started and exits when standard input closes or
// on SIGINT or SIGTERM, so it never outlives the test that started it.
//
// The lab's helpers take a testing.TB and stop what they started in its
// cleanups; labT is that TB for a program (see labT), so the same code
// starts and stops the lab here as in the Go tests. If the lab fails to
// start, the failure (with Kamailio's or baresip's log) goes to standard
// error, nothing to standard output, and the exit status is 1.
//
// It is test-only: nothing in Pitchline imports it.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testlab"
)

// customer is the baresip peer's user name at Kamailio.
const customer = "bob"

// ready is the JSON line printed once the lab is up.
type ready struct {
	Registrar string            `json:"registrar"`
	Users     map[string]string `json:"users"`
	Customer  string            `json:"customer"`
}

func main() {
	flag.Parse()
	t := &labT{}
	lab(t, os.Stdin, os.Stdout)
	os.Exit(t.finish())
}

// lab starts the lab, prints it, serves commands from in until it closes
// or a signal comes, and returns (t's cleanups then stop the processes).
func lab(t testing.TB, in io.Reader, out io.Writer) {
	k := testlab.StartKamailio(t, testlab.WithoutTLS())
	testlab.StartBaresip(t, customer, testlab.WithAccount(customer, k.Password(customer), k.Addr(), "udp"), testlab.WithTone(400))
	b, err := json.Marshal(ready{Registrar: k.Addr(), Users: k.Users(), Customer: customer})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintln(out, string(b))

	// Commands run on their own goroutines (a wait may take a while) and
	// end early once the input closes or a signal comes.
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer cancel()
	var outMu sync.Mutex
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sig)
	lines := make(chan string)
	go func() { // ends when in closes; never waited for (a blocked Read)
		defer close(lines)
		sc := bufio.NewScanner(in)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	for {
		select {
		case <-sig:
			return
		case line, open := <-lines:
			if !open {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				answer := command(ctx, k, strings.Fields(line))
				outMu.Lock()
				defer outMu.Unlock()
				fmt.Fprintln(out, answer)
			}()
		}
	}
}

// command runs one command line and returns its answer line.
func command(ctx context.Context, k *testlab.Kamailio, f []string) string {
	if len(f) != 2 || f[0] != "wait" {
		return fmt.Sprintf("error %q: want wait USER", strings.Join(f, " "))
	}
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if _, err := k.WaitRegistered(ctx, f[1]); err != nil {
		return fmt.Sprintf("error %s: %v", f[1], err)
	}
	return "registered " + f[1]
}
