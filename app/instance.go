package app

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Single instance and click-to-call hand-off.
//
// One mechanism serves the window and browser mode alike: a per-user Unix
// domain socket. Wails' SingleInstanceLock is D-Bus based on Linux, exists
// only in window mode and cannot be scoped to a data directory; a socket
// works in `pitchline serve` too, needs no session bus (CI, SSH, Xvfb), is
// private to the user (0700 directory, 0600 socket), and keying it by the
// data directory lets tests run isolated instances side by side. (Windows
// 10+ has AF_UNIX too.)
//
// Protocol: the second launch connects, writes one line (the URL, or an
// empty line for "show yourself") and reads one line back ("ok"), then
// exits 0.

// ErrHandedOff is returned by acquireInstance when another instance took
// the request; the caller exits 0.
var ErrHandedOff = errors.New("app: handed over to the running instance")

// socketPath returns the instance socket for dataDir: in $XDG_RUNTIME_DIR
// (per user, tmpfs), else in os.TempDir()/pitchline-UID.
func socketPath(dataDir string) (string, error) {
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(abs))
	name := "pitchline-" + hex.EncodeToString(sum[:6]) + ".sock"
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("pitchline-%d", os.Getuid()))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("app: instance socket directory: %w", err)
	}
	return filepath.Join(dir, name), nil
}

// instance is the running instance's listener.
type instance struct {
	ln   net.Listener
	path string
	wg   sync.WaitGroup
}

// acquireInstance becomes the single instance for dataDir, or hands url to
// the one already running and returns ErrHandedOff.
func acquireInstance(dataDir, url string) (*instance, error) {
	path, err := socketPath(dataDir)
	if err != nil {
		return nil, err
	}
	if err := handOff(path, url); err == nil {
		return nil, ErrHandedOff
	}
	_ = os.Remove(path) // stale socket of a crashed instance
	ln, err := net.Listen("unix", path)
	if err != nil {
		// Lost a race with another starting instance: hand off to it.
		if herr := handOff(path, url); herr == nil {
			return nil, ErrHandedOff
		}
		return nil, fmt.Errorf("app: instance socket %s: %w", path, err)
	}
	_ = os.Chmod(path, 0o600)
	return &instance{ln: ln, path: path}, nil
}

// handOff sends url to the instance listening at path.
func handOff(path, url string) error {
	conn, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := fmt.Fprintln(conn, strings.ReplaceAll(url, "\n", "")); err != nil {
		return err
	}
	reply, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		return err
	}
	if strings.TrimSpace(reply) != "ok" {
		return fmt.Errorf("app: running instance answered %q", reply)
	}
	return nil
}

// serve accepts hand-offs and calls handle for each until close.
func (in *instance) serve(handle func(url string)) {
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		for {
			conn, err := in.ln.Accept()
			if err != nil {
				return
			}
			_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
			line, err := bufio.NewReader(conn).ReadString('\n')
			if err == nil {
				_, _ = fmt.Fprintln(conn, "ok")
			}
			conn.Close()
			if err == nil {
				handle(strings.TrimSpace(line))
			}
		}
	}()
}

// close stops listening and removes the socket.
func (in *instance) close() {
	if in == nil {
		return
	}
	in.ln.Close()
	in.wg.Wait()
	_ = os.Remove(in.path)
}
