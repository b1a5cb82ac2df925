package opus

import "github.com/pitchline/pitchline/audio/codec"

// Name is the RTP encoding name of Opus (RFC 7587 §7: SDP writes it as
// opus/48000/2).
const Name = "opus"

// init registers Opus in audio/codec's registry: a blank import of this
// package lets media sessions offer it. Encoders use the defaults of
// NewEncoder (32 kbit/s, FEC for 10 % loss, DTX).
func init() {
	err := codec.Register(codec.Info{
		Name:        Name,
		PayloadType: codec.DynamicPayloadType,
		ClockRate:   SampleRate,
		Channels:    1,
		NewEncoder:  func() (codec.Encoder, error) { return NewEncoder() },
		NewDecoder:  func() (codec.Decoder, error) { return NewDecoder() },
	})
	if err != nil {
		panic(err)
	}
}

var (
	_ codec.Encoder   = (*Encoder)(nil)
	_ codec.Decoder   = (*Decoder)(nil)
	_ codec.Concealer = (*Decoder)(nil)
)
