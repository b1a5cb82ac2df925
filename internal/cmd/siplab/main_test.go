package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"
)

// TestLab: the lab prints its registrar and users, answers "wait bob"
// (the customer is registered) and a bad command with an error line, and
// returns when its input closes; t's cleanups then stop Kamailio and
// baresip (testlab checks that).
func TestLab(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	type result struct {
		ready   ready
		answers []string
		err     error
	}
	done := make(chan result, 1)
	go func() {
		var res result
		defer func() { done <- res }()
		defer inW.Close()
		sc := bufio.NewScanner(outR)
		if !sc.Scan() {
			res.err = io.ErrUnexpectedEOF
			return
		}
		if res.err = json.Unmarshal(sc.Bytes(), &res.ready); res.err != nil {
			return
		}
		for _, cmd := range []string{"wait bob", "dance"} {
			if _, res.err = io.WriteString(inW, cmd+"\n"); res.err != nil {
				return
			}
			if !sc.Scan() {
				res.err = io.ErrUnexpectedEOF
				return
			}
			res.answers = append(res.answers, sc.Text())
		}
	}()
	lab(t, inR, outW)
	outW.Close()
	res := <-done
	if res.err != nil {
		t.Fatal(res.err)
	}
	if !strings.HasPrefix(res.ready.Registrar, "127.0.0.1:") || res.ready.Customer != "bob" || res.ready.Users["alice"] == "" {
		t.Errorf("ready line %+v", res.ready)
	}
	if len(res.answers) != 2 || res.answers[0] != "registered bob" || !strings.HasPrefix(res.answers[1], "error ") {
		t.Errorf("answers %q", res.answers)
	}
}

// TestLabT: cleanups run last first, TempDir is removed, and an Errorf
// makes the exit status 1.
func TestLabT(t *testing.T) {
	lt := &labT{}
	var order []int
	lt.Cleanup(func() { order = append(order, 1) })
	dir := lt.TempDir()
	lt.Cleanup(func() { order = append(order, 2) })
	if _, err := os.Stat(dir); err != nil {
		t.Fatal(err)
	}
	if code := lt.finish(); code != 0 || len(order) != 2 || order[0] != 2 || order[1] != 1 {
		t.Errorf("finish %d, order %v", code, order)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("TempDir %s left behind: %v", dir, err)
	}
	lt.Errorf("siplab test: %s", "an error")
	if !lt.Failed() || lt.finish() != 1 {
		t.Error("an Errorf did not make the exit status 1")
	}
}
