package app

import (
	"bytes"
	"errors"
	"flag"
	"testing"
)

func TestWindowFlags(t *testing.T) {
	var stderr bytes.Buffer
	opts, err := WindowFlags([]string{"--data-dir", "/tmp/x", "--audio", "null", "--demo", "tel:+15550100"}, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	var c config
	for _, o := range opts {
		if err := o(&c); err != nil {
			t.Fatal(err)
		}
	}
	if c.dataDir != "/tmp/x" || c.audioDev != "null" || !c.demo || c.launchURL != "tel:+15550100" {
		t.Fatalf("config %+v", c)
	}

	opts, err = WindowFlags(nil, &stderr)
	if err != nil {
		t.Fatal(err)
	}
	c = config{}
	for _, o := range opts {
		_ = o(&c)
	}
	if c.dataDir != "" || c.audioDev != "default" || c.demo || c.launchURL != "" {
		t.Fatalf("defaults %+v", c)
	}

	if _, err := WindowFlags([]string{"-h"}, &stderr); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("-h: %v", err)
	}
	for _, bad := range [][]string{{"--nope"}, {"tel:1", "tel:2"}, {"--audio"}} {
		if _, err := WindowFlags(bad, &stderr); !errors.Is(err, ErrInvalidOption) {
			t.Errorf("WindowFlags(%q) err = %v, want ErrInvalidOption", bad, err)
		}
	}
}
