package codec

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Encoder turns linear PCM into codec payload.
//
// Encode writes the payload for pcm into dst and returns the number of bytes
// written. dst must be large enough for one frame (Info.MaxPayload);
// implementations never allocate.
type Encoder interface {
	Encode(dst []byte, pcm []int16) int
}

// Decoder turns codec payload into linear PCM.
//
// Decode writes the samples for payload into dst and returns the number of
// samples written; implementations never allocate.
type Decoder interface {
	Decode(dst []int16, payload []byte) int
}

// Concealer is implemented by Decoders that conceal lost packets
// themselves (Opus: its own PLC, or in-band FEC from the next packet).
// Receivers use it instead of a PLC on decoded PCM when available.
//
// Conceal writes audio for one lost frame of len(dst) samples into dst and
// returns the number of samples written. next is the payload of the packet
// that follows the loss, or nil when it has not arrived; a decoder with
// in-band FEC rebuilds the lost frame from it. next is decoded normally
// afterwards. Implementations never allocate.
type Concealer interface {
	Conceal(dst []int16, next []byte) int
}

// Info describes one registered codec.
type Info struct {
	// Name is the RTP encoding name as used in SDP a=rtpmap (e.g. "PCMU").
	Name string
	// PayloadType is the static RTP payload type (RFC 3551), or 0xFF for a
	// codec that only uses dynamic payload types.
	PayloadType uint8
	// ClockRate is the RTP clock rate and the PCM sample rate in Hz.
	ClockRate int
	// Channels is the number of audio channels (1 for telephony).
	Channels int
	// NewEncoder creates an encoder for one stream.
	NewEncoder func() (Encoder, error)
	// NewDecoder creates a decoder for one stream.
	NewDecoder func() (Decoder, error)
}

// DynamicPayloadType marks an Info without a static payload type.
const DynamicPayloadType uint8 = 0xFF

var (
	regMu   sync.RWMutex
	byName  = map[string]Info{}
	byPType = map[uint8]Info{}
)

func init() {
	mustRegister(Info{Name: "PCMU", PayloadType: 0, ClockRate: 8000, Channels: 1,
		NewEncoder: func() (Encoder, error) { return PCMU{}, nil },
		NewDecoder: func() (Decoder, error) { return PCMU{}, nil }})
	mustRegister(Info{Name: "PCMA", PayloadType: 8, ClockRate: 8000, Channels: 1,
		NewEncoder: func() (Encoder, error) { return PCMA{}, nil },
		NewDecoder: func() (Decoder, error) { return PCMA{}, nil }})
}

func mustRegister(i Info) {
	if err := Register(i); err != nil {
		panic(err)
	}
}

// Register adds a codec to the registry. Names are case-insensitive.
func Register(i Info) error {
	if i.Name == "" || i.ClockRate <= 0 || i.Channels <= 0 || i.NewEncoder == nil || i.NewDecoder == nil {
		return fmt.Errorf("register %q: %w", i.Name, ErrInvalid)
	}
	key := strings.ToUpper(i.Name)
	regMu.Lock()
	defer regMu.Unlock()
	if _, ok := byName[key]; ok {
		return fmt.Errorf("register %q: %w", i.Name, ErrDuplicate)
	}
	if i.PayloadType != DynamicPayloadType {
		if i.PayloadType > 127 {
			return fmt.Errorf("register %q: payload type %d: %w", i.Name, i.PayloadType, ErrInvalid)
		}
		if _, ok := byPType[i.PayloadType]; ok {
			return fmt.Errorf("register %q: payload type %d: %w", i.Name, i.PayloadType, ErrDuplicate)
		}
		byPType[i.PayloadType] = i
	}
	byName[key] = i
	return nil
}

// Lookup returns the codec registered under name (case-insensitive).
func Lookup(name string) (Info, error) {
	regMu.RLock()
	i, ok := byName[strings.ToUpper(name)]
	regMu.RUnlock()
	if !ok {
		return Info{}, fmt.Errorf("lookup %q: %w", name, ErrUnknownCodec)
	}
	return i, nil
}

// LookupPayloadType returns the codec with static RTP payload type pt.
func LookupPayloadType(pt uint8) (Info, error) {
	regMu.RLock()
	i, ok := byPType[pt]
	regMu.RUnlock()
	if !ok {
		return Info{}, fmt.Errorf("lookup payload type %d: %w", pt, ErrUnknownCodec)
	}
	return i, nil
}

// Names returns the names of all registered codecs, sorted.
func Names() []string {
	regMu.RLock()
	defer regMu.RUnlock()
	out := make([]string, 0, len(byName))
	for _, i := range byName {
		out = append(out, i.Name)
	}
	sort.Strings(out)
	return out
}
