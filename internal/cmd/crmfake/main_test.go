package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
)

// TestRunServesSeededFake starts the command, reads its URL, checks the
// seeded contact and the dump endpoint, and stops it by closing stdin.
func TestRunServesSeededFake(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run([]string{"-seed", "-token", "tok"}, inR, outW, io.Discard); outW.Close() }()
	url, err := bufio.NewReader(outR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	url = strings.TrimSpace(url)
	if !strings.HasPrefix(url, "http://127.0.0.1:") {
		t.Fatalf("url %q", url)
	}
	req, _ := http.NewRequest(http.MethodGet, url+"/crm/v3/objects/contacts?properties=phone", nil)
	req.Header.Set("Authorization", "Bearer tok")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var page struct {
		Results []struct{ Properties map[string]string }
	}
	err = json.NewDecoder(res.Body).Decode(&page)
	res.Body.Close()
	if err != nil || len(page.Results) != 1 || page.Results[0].Properties["phone"] != "+1 555 010 0166" {
		t.Fatalf("seeded contacts: %+v %v", page, err)
	}
	res, err = http.Get(url + "/_fake/calls")
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("dump: %v %v", res, err)
	}
	res.Body.Close()
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d", code)
	}
	if code := run([]string{"-nope"}, strings.NewReader(""), io.Discard, io.Discard); code != 2 {
		t.Fatalf("bad flag: exit %d", code)
	}
}

// TestRunOfflineOnline: SIGUSR1 closes the listener (connection refused)
// and prints "offline"; SIGUSR2 serves again on the same URL, with the
// same records, and prints "online".
func TestRunOfflineOnline(t *testing.T) {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() { done <- run([]string{"-seed", "-token", "tok"}, inR, outW, io.Discard); outW.Close() }()
	out := bufio.NewReader(outR)
	line := func() string {
		t.Helper()
		l, err := out.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(l)
	}
	url := line()
	contacts := func() (int, error) {
		req, _ := http.NewRequest(http.MethodGet, url+"/crm/v3/objects/contacts", nil)
		req.Header.Set("Authorization", "Bearer tok")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		var page struct{ Results []json.RawMessage }
		err = json.NewDecoder(res.Body).Decode(&page)
		return len(page.Results), err
	}
	if n, err := contacts(); err != nil || n != 1 {
		t.Fatalf("online: %d contacts, %v", n, err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	if l := line(); l != "offline" {
		t.Fatalf("after SIGUSR1: %q", l)
	}
	if _, err := contacts(); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("offline request: %v", err)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	if l := line(); l != "online" {
		t.Fatalf("after SIGUSR2: %q", l)
	}
	if n, err := contacts(); err != nil || n != 1 {
		t.Fatalf("online again: %d contacts, %v", n, err)
	}
	inW.Close()
	if code := <-done; code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
