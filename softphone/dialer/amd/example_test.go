package amd_test

import (
	"fmt"

	"github.com/pitchline/pitchline/softphone/dialer/amd"
)

// A dialer feeds the received audio of an answered call, 20 ms at a time,
// until the detector decides; after a machine decision it keeps feeding
// FeedGreeting until it says when to play the voicemail.
func Example() {
	d, err := amd.New(8000)
	if err != nil {
		panic(err)
	}
	frame := make([]int16, 160) // 20 ms at 8 kHz; here, a silent line
	for {
		dec, decided := d.Feed(frame)
		if !decided {
			continue
		}
		fmt.Printf("%s after %v: %s\n", dec.Result, dec.After, dec.Reason)
		if dec.Result == amd.Machine {
			for {
				if drop, why := d.FeedGreeting(frame); drop {
					fmt.Println("play the voicemail now:", why)
					break
				}
			}
		}
		break
	}
	// Output: unknown after 2.5s: no speech
}
