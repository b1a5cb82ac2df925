package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
	crmsync "github.com/pitchline/pitchline/softphone/crm/sync"
	"github.com/pitchline/pitchline/softphone/crm/vendors"
	"github.com/pitchline/pitchline/softphone/secret"
)

// crmUsage is the usage text of the CRM commands.
const crmUsage = `
CRM (tokens live in the OS keychain, or only in memory with --token-env VAR):
  pitchline crm connect hubspot|pipedrive|sell|zoho [--base-url URL] [--token-env VAR]
        checks the token and prints the account; without --token-env the token
        is read from standard input and stored in the keychain
  pitchline crm sync [--json] [--token-env VAR] [--vendor NAME]
        pushes pending calls and tasks, pulls contacts, companies and deals;
        exit 0 once the queue is empty
`

// newAdapter builds the vendor's adapter (softphone/crm/vendors, shared
// with the desktop app). baseURL "" keeps the vendor's default host.
func newAdapter(v crm.Vendor, token, baseURL string) (crm.Adapter, error) {
	a, err := vendors.New(v, token, baseURL)
	if errors.Is(err, vendors.ErrUnknownVendor) {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return a, err
}

// crmToken returns the token from the environment variable, else from the
// keychain.
func crmToken(v crm.Vendor, tokenEnv string) (string, error) {
	if tokenEnv != "" {
		return secret.FromEnv(tokenEnv)
	}
	ks, err := secret.New(vendors.KeychainService)
	if err != nil {
		return "", err
	}
	tok, err := ks.Get(vendors.KeychainAccount(v))
	if err != nil {
		return "", fmt.Errorf("no %s token in the keychain (run `pitchline crm connect %s`, or pass --token-env VAR): %w", v, v, err)
	}
	return tok, nil
}

// runCRM is `pitchline crm connect|sync`.
func runCRM(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: usage: pitchline crm connect|sync [flags]", ErrUsage)
	}
	switch args[0] {
	case "connect":
		return runCRMConnect(args[1:], os.Stdin, stdout, stderr)
	case "sync":
		return runCRMSync(args[1:], stdout, stderr)
	}
	return fmt.Errorf("%w: unknown crm command %q (connect, sync)", ErrUsage, args[0])
}

func runCRMConnect(args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	var dataDir, baseURL, tokenEnv string
	var jsonOut bool
	fs := storeFlags("crm connect", &dataDir, &jsonOut)
	fs.StringVar(&baseURL, "base-url", "", "")
	fs.StringVar(&tokenEnv, "token-env", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: usage: pitchline crm connect hubspot|pipedrive|sell|zoho [--base-url URL] [--token-env VAR]", ErrUsage)
	}
	v := crm.Vendor(pos[0])
	var token string
	if tokenEnv != "" {
		if token, err = secret.FromEnv(tokenEnv); err != nil {
			return err
		}
	} else {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if token = strings.TrimSpace(line); token == "" {
			return fmt.Errorf("%w: give the token on standard input, or with --token-env VAR", ErrUsage)
		}
	}
	a, err := newAdapter(v, token, baseURL)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	acct, err := a.Check(ctx)
	if err != nil {
		return fmt.Errorf("checking the %s token: %w", v, err)
	}
	if tokenEnv == "" {
		ks, err := secret.New(vendors.KeychainService)
		if err != nil {
			return err
		}
		if err := ks.Set(vendors.KeychainAccount(v), token); err != nil {
			return err
		}
	}
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.ConnectVendor(ctx, crmsync.StoreVendor(v)); err != nil {
		return err
	}
	if baseURL != "" {
		err = st.SetSetting(ctx, vendors.BaseURLSetting(v), baseURL)
	} else {
		err = st.DeleteSetting(ctx, vendors.BaseURLSetting(v))
	}
	if err != nil {
		return err
	}
	// Map the outcomes by label, as the app does when it connects, so that
	// an outcome reaches the CRM whichever way it was connected.
	om, mapErr := crmsync.MapOutcomes(ctx, st, a)
	if mapErr != nil {
		fmt.Fprintf(stderr, "pitchline: warning: outcomes not mapped to %s (calls reach it without an outcome until they are; connect again or map them in the app, Settings → Outcomes): %v\n", v, mapErr)
	}
	if jsonOut {
		return json.NewEncoder(stdout).Encode(map[string]any{"event": "connected", "vendor": string(v),
			"account_id": acct.ID, "account": acct.Name, "user": acct.User,
			"outcomes_mapped": nonNil(om.Mapped), "outcomes_unmapped": nonNil(om.Unmapped)})
	}
	fmt.Fprintf(stdout, "connected to %s: account %s (%s)", v, acct.Name, acct.ID)
	if acct.User != "" {
		fmt.Fprintf(stdout, ", user %s", acct.User)
	}
	fmt.Fprintln(stdout)
	if len(om.Mapped) > 0 {
		fmt.Fprintf(stdout, "outcomes mapped to %s by label: %s\n", v, quoteList(om.Mapped))
	}
	if len(om.Unmapped) > 0 {
		fmt.Fprintf(stdout, "no %s outcome has the label of %s: calls with these reach %s without an outcome (map them in the app, Settings → Outcomes)\n",
			v, quoteList(om.Unmapped), v)
	}
	return nil
}

// unmappedHint is what to do about an outcome that has no mapping.
func unmappedHint(v crm.Vendor) string {
	return fmt.Sprintf("map it in the app (Settings → Outcomes), or run `pitchline crm connect %s` again to map outcomes by label", v)
}

func quoteList(labels []string) string {
	q := make([]string, len(labels))
	for i, l := range labels {
		q[i] = fmt.Sprintf("%q", l)
	}
	return strings.Join(q, ", ")
}

func nonNilCounts(m map[string]int) map[string]int {
	if m == nil {
		return map[string]int{}
	}
	return m
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func runCRMSync(args []string, stdout, stderr io.Writer) error {
	var dataDir, tokenEnv, vendor string
	var jsonOut bool
	fs := storeFlags("crm sync", &dataDir, &jsonOut)
	fs.StringVar(&tokenEnv, "token-env", "", "")
	fs.StringVar(&vendor, "vendor", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: usage: pitchline crm sync [--json] [--token-env VAR] [--vendor NAME]", ErrUsage)
	}
	st, err := openStore(dataDir)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	v := crm.Vendor(vendor)
	if v == "" {
		vs, err := st.ConnectedVendors(ctx)
		if err != nil {
			return err
		}
		if len(vs) != 1 {
			return fmt.Errorf("%w: %d CRMs connected (%v); choose one with --vendor", ErrUsage, len(vs), vs)
		}
		v = crmsync.CRMVendor(vs[0])
	}
	token, err := crmToken(v, tokenEnv)
	if err != nil {
		return err
	}
	base, _, err := st.GetSetting(ctx, vendors.BaseURLSetting(v))
	if err != nil {
		return err
	}
	a, err := newAdapter(v, token, base)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	w, err := crmsync.New(st, a, crmsync.WithProgress(func(p crmsync.Progress) {
		if jsonOut {
			enc.Encode(map[string]any{"event": "progress", "vendor": string(p.Vendor), "pending": p.Pending,
				"done": p.Done, "failed": p.Failed, "state": string(p.State), "reason": p.Reason})
			return
		}
		line := fmt.Sprintf("%s: %d sent, %d pending, %d failed", p.Vendor, p.Done, p.Pending, p.Failed)
		if p.Reason != "" {
			line += " (" + string(p.State) + ": " + p.Reason + ")"
		}
		fmt.Fprintln(stdout, line)
	}))
	if err != nil {
		return err
	}
	p, err := w.Drain(ctx)
	if err != nil {
		return fmt.Errorf("sync to %s stopped with %d pending: %w", v, p.Pending, err)
	}
	res, err := w.Pull(ctx, false)
	if err != nil {
		return err
	}
	unmapped := crmsync.SortedLabels(p.Unmapped)
	if jsonOut {
		for _, l := range unmapped {
			enc.Encode(map[string]any{"event": "unmapped_outcome", "vendor": string(v), "outcome": l, "calls": p.Unmapped[l],
				"message": fmt.Sprintf("%d calls reached %s without an outcome: %q has no %s mapping", p.Unmapped[l], v, l, v)})
		}
		enc.Encode(map[string]any{"event": "done", "vendor": string(v), "sent": p.Done, "pending": p.Pending,
			"failed": p.Failed, "pulled": res.Counts, "full_pull": res.Full, "unmapped": nonNilCounts(p.Unmapped)})
	} else {
		for _, l := range unmapped {
			fmt.Fprintf(stdout, "%s: %d calls sent without an outcome: %q has no %s mapping; %s\n", v, p.Unmapped[l], l, v, unmappedHint(v))
		}
		fmt.Fprintf(stdout, "%s: queue empty (%d sent, %d failed); pulled %d contacts, %d companies, %d deals\n", v, p.Done, p.Failed,
			res.Counts[string(crm.KindContacts)], res.Counts[string(crm.KindCompanies)], res.Counts[string(crm.KindDeals)])
	}
	if p.Failed > 0 {
		fmt.Fprintf(stderr, "pitchline: %d items failed and need a look (see the call history; retry them from the app)\n", p.Failed)
	}
	return nil
}
