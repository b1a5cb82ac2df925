//go:build benchlab && linux

package benchlab

import (
	"context"
	"fmt"
	"github.com/pitchline/pitchline/softphone/dialer"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pitchline/pitchline/audio/codec"
	"github.com/pitchline/pitchline/internal/testlab"
	"github.com/pitchline/pitchline/softphone/dialer/amd"
)

// The throughput run with the real AMD (PITCHLINE_BENCH_DIALER_AMD=real,
// the default): the human peer answers with a corpus "Hello, who's
// calling?" and the machine peer with a corpus greeting ending in a beep,
// both as real PCMU audio; the session classifies them with the dialer's
// AMD and drops a 1 s voicemail into each machine after its beep. Audio
// cannot be time-compressed, so it runs in real time and each of its
// seconds stands for `scale` simulated seconds: at 1:10 the greeting (3.4
// s to the end of the beep) and the voicemail (1 s) make a machine call of
// about 45 simulated seconds after the ring, a 30 s greeting and a 15 s
// message; the AMD's decision on a human (2.4 s) counts 24 s before the
// rep is connected, where a real call spends 2.4 s: the run undercounts
// humans a little, the model rows below count the same.
const (
	throughputHumanFile   = "human-tune-02.wav"
	throughputMachineFile = "machine-tune-31.wav"
	throughputVoicemail   = time.Second
)

type realAMD struct {
	on                       bool
	humanAudio, machineAudio string // headerless 8 kHz mu-law, for sipp's rtp_stream
	voicemail                string
	humanAMD                 time.Duration // simulated: the AMD's decision on the human
	machine                  time.Duration // simulated: answer -> the voicemail played
	desc                     string
}

func prepareRealAMD(t *testing.T, on bool, scale int) realAMD {
	t.Helper()
	if !on {
		return realAMD{machine: simAMD, desc: fmt.Sprintf("an oracle says machine or human after %v, a machine is hung up without a drop", simAMD)}
	}
	dir := t.TempDir()
	r := realAMD{on: true, voicemail: filepath.Join(dir, "voicemail.wav")}
	if err := testlab.WriteToneWAV(r.voicemail, 700, throughputVoicemail.Seconds()); err != nil {
		t.Fatal(err)
	}
	load := func(name string) (string, []int16) {
		rate, s, err := testlab.ReadWAV(filepath.Join(amdCorpusDir, name))
		if err != nil || rate != 8000 {
			t.Fatalf("%s: rate %d, %v", name, rate, err)
		}
		raw := make([]byte, len(s))
		for i, v := range s {
			raw[i] = codec.ULawEncode(v)
		}
		out := filepath.Join(dir, name+".ulaw")
		if err := os.WriteFile(out, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return out, s
	}
	var hs, ms []int16
	r.humanAudio, hs = load(throughputHumanFile)
	r.machineAudio, ms = load(throughputMachineFile)
	h := classifyDirect(&amdFile{rate: 8000, samples: hs})
	m, dropAt := classifyDrop(ms)
	if h.result != amd.Human || m != amd.Machine || dropAt == 0 {
		t.Fatalf("the throughput peers' files, direct: human file %s, machine file %s (drop at %v)", h.result, m, dropAt)
	}
	sc := time.Duration(scale)
	r.humanAMD = h.after * sc
	r.machine = (dropAt + throughputVoicemail) * sc
	r.desc = fmt.Sprintf("the dialer's AMD on real audio: human peer %s (decided human after %v), machine peer %s (dropped at %v, after its beep), %v voicemail; audio in real time",
		throughputHumanFile, h.after, throughputMachineFile, dropAt, throughputVoicemail)
	return r
}

// classifyDrop is a machine file's decision and the audio time of the drop.
func classifyDrop(s []int16) (amd.Result, time.Duration) {
	d, err := amd.New(8000)
	if err != nil {
		return amd.Unknown, 0
	}
	res, decided := amd.Unknown, false
	for p := 0; p+160 <= len(s); p += 160 {
		if !decided {
			var dec amd.Decision
			if dec, decided = d.Feed(s[p : p+160]); decided {
				res = dec.Result
			}
			continue
		}
		if drop, _ := d.FeedGreeting(s[p : p+160]); drop {
			return res, d.Elapsed()
		}
	}
	return res, 0
}

func percentileOrZero(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[int(p*float64(len(s)-1)+0.5)]
}

// ReceivedAudio passes the engine call's audio tap on (dialer.AudioCall),
// for the real AMD.
func (c *taggedCall) ReceivedAudio() (<-chan []int16, int, func(), error) {
	ac, ok := c.EngineCall.(dialer.AudioCall)
	if !ok {
		return nil, 0, nil, fmt.Errorf("call %s has no audio tap", c.ID())
	}
	return ac.ReceivedAudio()
}

// PlayFile passes the voicemail drop on (dialer.PlaybackCall).
func (c *taggedCall) PlayFile(ctx context.Context, path string) error {
	pc, ok := c.EngineCall.(dialer.PlaybackCall)
	if !ok {
		return fmt.Errorf("call %s cannot play a file", c.ID())
	}
	return pc.PlayFile(ctx, path)
}
