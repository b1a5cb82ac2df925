//go:build linux

package testlab

import (
	"context"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pitchline/pitchline/internal/testenv"
)

// NetnsEnv marks a test binary that InNetns re-ran inside a fresh network
// namespace; its value is the LAN address set up there.
const NetnsEnv = "PITCHLINE_TESTLAB_NETNS"

// LANAddr is the address InNetns gives the namespace's veth interface.
var LANAddr = netip.MustParseAddr("10.9.0.1")

// LANPeerAddr is the address of the veth pair's other end, in the same
// namespace (a second non-loopback address, for a client).
var LANPeerAddr = netip.MustParseAddr("10.9.0.2")

// netnsSetup builds the namespace's network: loopback up and a veth pair
// v0 (LANAddr) / v1 (LANPeerAddr) in 10.9.0.0/24. It runs as root of a new
// user namespace (unshare -r), so it needs no privilege on the host; a veth
// pair needs no kernel module, a dummy link would.
const netnsSetup = "ip link set lo up && ip link add v0 type veth peer name v1 && " +
	"ip addr add 10.9.0.1/24 dev v0 && ip addr add 10.9.0.2/24 dev v1 && " +
	"ip link set v0 up && ip link set v1 up"

// InNetns runs the calling test inside a network namespace of its own, where
// LANAddr and LANPeerAddr are real, non-loopback interface addresses that
// no other host can reach (the project's rule: only loopback, or a network
// namespace the test creates).
//
// Outside the namespace it re-executes the test binary under
// `unshare -rn` with -test.run selecting only t's test, logs the child's
// output, fails t when the child fails, and returns false: the caller
// returns at once. Inside (NetnsEnv set) it returns LANAddr and true.
// timeout bounds the child (its -test.timeout).
// Without a working unshare it fails the test in CI and skips it
// otherwise (testenv.Missing).
func InNetns(t *testing.T, timeout time.Duration) (netip.Addr, bool) {
	t.Helper()
	if v := os.Getenv(NetnsEnv); v != "" {
		a, err := netip.ParseAddr(v)
		if err != nil {
			t.Fatalf("testlab: %s=%q: %v", NetnsEnv, v, err)
		}
		return a, true
	}
	unshare := testenv.RequireTool(t, "unshare", "apt-get install util-linux")
	testenv.RequireTool(t, "ip", "apt-get install iproute2")
	// The child's own -test.timeout fires first, so a hang inside ends
	// with its goroutine dump in the log rather than a bare kill.
	ctx, cancel := context.WithTimeout(context.Background(), timeout+time.Minute)
	defer cancel()
	// Probe: user and network namespaces may be disabled by the kernel
	// (kernel.unprivileged_userns_clone, AppArmor) or a container.
	if out, err := exec.CommandContext(ctx, unshare, "-rn", "sh", "-c", netnsSetup).CombinedOutput(); err != nil {
		testenv.Missing(t, "testlab: cannot create a network namespace with a veth pair (unshare -rn): %v: %s",
			err, strings.TrimSpace(string(out)))
	}
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.CommandContext(ctx, unshare, "-rn", "sh", "-c", netnsSetup+` && exec "$0" "$@"`,
		os.Args[0], "-test.run="+strings.Join(run, "/"), "-test.v=true", "-test.count=1",
		"-test.timeout="+timeout.String())
	cmd.Env = append(os.Environ(), NetnsEnv+"="+LANAddr.String())
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	t.Logf("inside the network namespace (%s):\n%s", strings.Join(cmd.Args[:3], " "), out)
	switch {
	case err != nil:
		t.Fatalf("testlab: the test failed inside the network namespace: %v", err)
	case !strings.Contains(string(out), "--- PASS: "+t.Name()+" "):
		t.Fatalf("testlab: the test did not run inside the network namespace (no PASS line)")
	}
	return netip.Addr{}, false
}
