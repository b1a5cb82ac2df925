package amd

import (
	"testing"
)

// benchFrames feeds a corpus file's 20 ms frames in a loop.
func benchFeed(b *testing.B, rate int, greeting bool) {
	var c corpusFile
	for _, f := range loadCorpus(b) {
		if f.Label == Machine && f.HasBeep {
			c = f
			break
		}
	}
	samples := c.Samples
	if k := rate / c.Rate; k > 1 {
		samples = upsample(samples, k)
	}
	n := rate / 50
	d, err := New(rate)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	p := 0
	for i := 0; i < b.N; i++ {
		if p+n > len(samples) {
			p = 0
		}
		if greeting {
			d.FeedGreeting(samples[p : p+n])
		} else {
			d.Feed(samples[p : p+n])
		}
		p += n
	}
}

// BenchmarkFeed is one 20 ms frame of a voicemail greeting through Feed.
func BenchmarkFeed(b *testing.B)     { benchFeed(b, 8000, false) }
func BenchmarkFeed16k(b *testing.B)  { benchFeed(b, 16000, false) }
func BenchmarkFeed48k(b *testing.B)  { benchFeed(b, 48000, false) }
func BenchmarkGreeting(b *testing.B) { benchFeed(b, 8000, true) }

// BenchmarkCorpus classifies the whole labelled corpus per op and reports
// the accuracy, the confusion matrix and the decision times as metrics
// (hh = human classified human, hm = human classified machine, hu = human
// classified unknown, mh, mm, mu likewise), for the whole corpus and the
// held-out and fresh sets.
func BenchmarkCorpus(b *testing.B) {
	corpus := loadCorpus(b)
	var all, hold, fresh summary
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var ra, rh, rf []run
		for _, c := range corpus {
			r := classify(b, c)
			ra = append(ra, r)
			switch c.Set {
			case "holdout":
				rh = append(rh, r)
			case "fresh":
				rf = append(rf, r)
			}
		}
		all, hold, fresh = summarize(ra), summarize(rh), summarize(rf)
	}
	b.StopTimer()
	b.ReportMetric(100*float64(all.Correct)/float64(all.N), "%correct")
	b.ReportMetric(100*float64(hold.Correct)/float64(hold.N), "%correct-holdout")
	b.ReportMetric(100*float64(fresh.Correct)/float64(fresh.N), "%correct-fresh")
	b.ReportMetric(float64(fresh.quantile(0.5).Milliseconds()), "median-ms-fresh")
	b.ReportMetric(float64(all.quantile(0.5).Milliseconds()), "median-ms")
	b.ReportMetric(float64(all.quantile(0.95).Milliseconds()), "p95-ms")
	for _, l := range []Result{Human, Machine} {
		for _, r := range []Result{Human, Machine, Unknown} {
			b.ReportMetric(float64(all.Matrix[l][r]), string(l[0])+string(r[0]))
		}
	}
	b.Logf("all:     %v", all)
	b.Logf("holdout: %v", hold)
	b.Logf("fresh:   %v", fresh)
}

// BenchmarkPitch is the most the question rule adds to a 20 ms frame at
// 8 kHz: 160 samples into the pitch buffer and one YIN estimate (run only
// on voiced frames of the first utterance, before the decision).
func BenchmarkPitch(b *testing.B) {
	s := glide(8000, 8000, 120, 220, 8000)
	var p pitchTracker
	b.ReportAllocs()
	b.ResetTimer()
	o := 0
	for i := 0; i < b.N; i++ {
		if o+160 > len(s) {
			o = 0
		}
		for _, v := range s[o : o+160] {
			p.push(float64(v))
		}
		o += 160
		p.estimate()
	}
}
