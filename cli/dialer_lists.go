package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/pitchline/pitchline/softphone/crm"
	crmsync "github.com/pitchline/pitchline/softphone/crm/sync"
	"github.com/pitchline/pitchline/softphone/crm/vendors"
	"github.com/pitchline/pitchline/softphone/store"
)

// dialerListsUsage is the usage text of the CRM call-list commands.
const dialerListsUsage = `
CRM call lists (HubSpot lists, Pipedrive filters, Zendesk Sell contact and
lead tags, Zoho custom views; Sell's smart lists are not in its API: export
one to CSV and use ` + "`dialer run --list FILE.csv`" + `):
  pitchline dialer lists --crm VENDOR [--token-env VAR] [--data-dir DIR] [--json]
        prints the CRM's lists (id, size, name)
  pitchline dialer pull --crm VENDOR --list ID [--name NAME] [--region CC]
        [--dnc-field FIELD] [--token-env VAR] [--data-dir DIR] [--json]
        saves the CRM list as a call list; again, it refreshes it (session
        history kept); records without a number are reported
`

// crmListFlags are the flags shared by `dialer lists` and `dialer pull`.
type crmListFlags struct {
	dataDir, vendor, tokenEnv, dncField string
	jsonOut                             bool
}

// open opens the store and builds the vendor's list source with the
// token (environment or keychain) and the base URL saved by `crm connect`.
func (f *crmListFlags) open(ctx context.Context) (*store.Store, crm.ListSource, error) {
	if f.vendor == "" {
		return nil, nil, fmt.Errorf("%w: --crm hubspot|pipedrive|sell|zoho is required", ErrUsage)
	}
	v, err := vendors.Parse(f.vendor)
	if err != nil {
		return nil, nil, fmt.Errorf("%w: --crm: %w", ErrUsage, err)
	}
	token, err := crmToken(v, f.tokenEnv)
	if err != nil {
		return nil, nil, err
	}
	st, err := openStore(f.dataDir)
	if err != nil {
		return nil, nil, err
	}
	base, _, err := st.GetSetting(ctx, vendors.BaseURLSetting(v))
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	src, err := vendors.NewListSource(v, token, base, f.dncField)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, src, nil
}

func (f *crmListFlags) flags(name string) *flag.FlagSet {
	fs := storeFlags(name, &f.dataDir, &f.jsonOut)
	fs.StringVar(&f.vendor, "crm", "", "")
	fs.StringVar(&f.tokenEnv, "token-env", "", "")
	return fs
}

// sellListsNote heads `dialer lists --crm sell`: what Sell's lists are.
const sellListsNote = "Zendesk Sell's smart lists are not in its API; these are its contact and lead tags (pull one with --list ID), or export a smart list to CSV and use `pitchline dialer run --list FILE.csv`."

// runDialerLists is `pitchline dialer lists --crm VENDOR`.
func runDialerLists(args []string, stdout, stderr io.Writer) error {
	var f crmListFlags
	fs := f.flags("dialer lists")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return fmt.Errorf("%w: usage: pitchline dialer lists --crm VENDOR [--token-env VAR] [--json]", ErrUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, src, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	refs, err := src.Lists(ctx)
	if err != nil {
		return fmt.Errorf("reading the %s lists: %w", src.Vendor(), err)
	}
	enc := json.NewEncoder(stdout)
	sellTags := src.Vendor() == crm.VendorSell
	if sellTags && !f.jsonOut {
		fmt.Fprintln(stderr, sellListsNote)
	}
	for _, r := range refs {
		if f.jsonOut {
			enc.Encode(map[string]any{"event": "list", "crm": string(src.Vendor()), "id": r.ID, "name": r.Name, "size": r.Size, "object": r.Object})
			continue
		}
		size := "?"
		if r.Size >= 0 {
			size = fmt.Sprint(r.Size)
		}
		name := r.Name
		if sellTags {
			name += " (tag on " + r.Object + ")"
		}
		fmt.Fprintf(stdout, "%s\t%s\t%s\n", r.ID, size, name)
	}
	if !f.jsonOut && len(refs) == 0 {
		fmt.Fprintf(stdout, "%s has no contact lists\n", src.Vendor())
	}
	return nil
}

// runDialerPull is `pitchline dialer pull --crm VENDOR --list ID`.
func runDialerPull(args []string, stdout, stderr io.Writer) error {
	var f crmListFlags
	var listID, name, region string
	fs := f.flags("dialer pull")
	fs.StringVar(&listID, "list", "", "")
	fs.StringVar(&name, "name", "", "")
	fs.StringVar(&region, "region", "", "")
	fs.StringVar(&f.dncField, "dnc-field", "", "")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || strings.TrimSpace(listID) == "" {
		return fmt.Errorf("%w: usage: pitchline dialer pull --crm VENDOR --list ID [--name NAME] [--json]", ErrUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	st, src, err := f.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if region == "" {
		region, _, _ = st.GetSetting(ctx, "region")
	}
	enc := json.NewEncoder(stdout)
	res, err := crmsync.PullCallList(ctx, st, src, listID, crmsync.ListPullOptions{Name: name, Region: region,
		Progress: func(done, total int) {
			if f.jsonOut {
				enc.Encode(map[string]any{"event": "pull_progress", "done": done, "total": total})
			} else if total >= 0 {
				fmt.Fprintf(stderr, "pulled %d of %d\n", done, total)
			} else {
				fmt.Fprintf(stderr, "pulled %d\n", done)
			}
		}})
	if err != nil {
		if errors.Is(err, crm.ErrNotFound) {
			return fmt.Errorf("%s has no list %q (see `pitchline dialer lists --crm %s`): %w", src.Vendor(), listID, src.Vendor(), err)
		}
		if src.Vendor() == crm.VendorSell && errors.Is(err, crm.ErrForbidden) {
			return fmt.Errorf("the Search API that a Sell tag list needs was refused: it comes with some Sell plans only; ask your Sell admin, or export the contacts to CSV and use `pitchline dialer run --list FILE.csv`: %w", err)
		}
		return err
	}
	for _, p := range res.Problems {
		if f.jsonOut {
			enc.Encode(map[string]any{"event": "pull_problem", "crm_id": p.CRMID, "contact": p.Name, "reason": string(p.Reason), "message": p.Message})
		} else {
			fmt.Fprintln(stdout, p.Message)
		}
	}
	l := res.List
	if f.jsonOut {
		return enc.Encode(map[string]any{"event": "pull_done", "list_id": l.ID, "name": l.Name, "created": res.Created,
			"pulled": res.Pulled, "contacts": len(l.Contacts), "added": res.Added, "updated": res.Updated,
			"removed": res.Removed, "do_not_call": res.DoNotCall, "problems": len(res.Problems)})
	}
	verb := "refreshed"
	if res.Created {
		verb = "saved"
	}
	fmt.Fprintf(stdout, "%s call list %q (%s): %d contacts from %d %s records (%d added, %d updated, %d removed, %d do-not-call)\n",
		verb, l.Name, l.ID, len(l.Contacts), res.Pulled, src.Vendor(), res.Added, res.Updated, res.Removed, res.DoNotCall)
	return nil
}

// runDialerCRMList dispatches `dialer lists` and `dialer pull`.
func runDialerCRMList(cmd string, args []string, stdout, stderr io.Writer) error {
	if cmd == "lists" {
		return runDialerLists(args, stdout, stderr)
	}
	return runDialerPull(args, stdout, stderr)
}
