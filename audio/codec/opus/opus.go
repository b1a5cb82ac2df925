package opus

/*
#cgo pkg-config: opus
#include <stdlib.h>
#include <opus.h>

// opus_encoder_ctl and opus_decoder_ctl are variadic: cgo cannot call them,
// so each request used gets a small wrapper.
static int pl_enc_set(OpusEncoder *st, int req, opus_int32 v) {
	switch (req) {
	case OPUS_SET_BITRATE_REQUEST: return opus_encoder_ctl(st, OPUS_SET_BITRATE(v));
	case OPUS_SET_COMPLEXITY_REQUEST: return opus_encoder_ctl(st, OPUS_SET_COMPLEXITY(v));
	case OPUS_SET_INBAND_FEC_REQUEST: return opus_encoder_ctl(st, OPUS_SET_INBAND_FEC(v));
	case OPUS_SET_DTX_REQUEST: return opus_encoder_ctl(st, OPUS_SET_DTX(v));
	case OPUS_SET_PACKET_LOSS_PERC_REQUEST: return opus_encoder_ctl(st, OPUS_SET_PACKET_LOSS_PERC(v));
	case OPUS_SET_SIGNAL_REQUEST: return opus_encoder_ctl(st, OPUS_SET_SIGNAL(v));
	case OPUS_SET_MAX_BANDWIDTH_REQUEST: return opus_encoder_ctl(st, OPUS_SET_MAX_BANDWIDTH(v));
	}
	return OPUS_UNIMPLEMENTED;
}

static int pl_enc_get(OpusEncoder *st, int req, opus_int32 *v) {
	switch (req) {
	case OPUS_GET_BITRATE_REQUEST: return opus_encoder_ctl(st, OPUS_GET_BITRATE(v));
	case OPUS_GET_COMPLEXITY_REQUEST: return opus_encoder_ctl(st, OPUS_GET_COMPLEXITY(v));
	case OPUS_GET_INBAND_FEC_REQUEST: return opus_encoder_ctl(st, OPUS_GET_INBAND_FEC(v));
	case OPUS_GET_DTX_REQUEST: return opus_encoder_ctl(st, OPUS_GET_DTX(v));
	case OPUS_GET_PACKET_LOSS_PERC_REQUEST: return opus_encoder_ctl(st, OPUS_GET_PACKET_LOSS_PERC(v));
	}
	return OPUS_UNIMPLEMENTED;
}
*/
import "C"

import (
	"fmt"
	"runtime"
	"unsafe"
)

const (
	// SampleRate is the PCM rate of every Encoder and Decoder, in Hz.
	SampleRate = 48000
	// FrameSamples is the number of samples of one 20 ms frame at
	// SampleRate: the frame Pitchline sends.
	FrameSamples = 960
	// MaxFrameSamples is the longest frame an Opus packet can carry
	// (120 ms at 48 kHz): a Decode destination this long never fails for
	// lack of room.
	MaxFrameSamples = 5760
	// MaxPayload is the largest Opus packet of one 20 ms frame (RFC 6716
	// §3.2.1: 1275 bytes per frame, plus the TOC byte).
	MaxPayload = 1276

	minBitrate = 6000
	maxBitrate = 510000
)

// libopusError maps a negative libopus return code to a wrapped sentinel.
func libopusError(op string, code C.int) error {
	msg := C.GoString(C.opus_strerror(code))
	switch code {
	case C.OPUS_BAD_ARG:
		return fmt.Errorf("%s: %s: %w", op, msg, ErrInvalid)
	case C.OPUS_BUFFER_TOO_SMALL:
		return fmt.Errorf("%s: %s: %w", op, msg, ErrBufferTooSmall)
	case C.OPUS_INVALID_PACKET:
		return fmt.Errorf("%s: %s: %w", op, msg, ErrCorrupt)
	}
	return fmt.Errorf("%s: %s (%d): %w", op, msg, int(code), ErrLibopus)
}

// validFrame reports whether n samples at 48 kHz is an Opus frame duration
// (2.5, 5, 10, 20, 40 or 60 ms).
func validFrame(n int) bool {
	switch n {
	case 120, 240, 480, 960, 1920, 2880:
		return true
	}
	return false
}

// config holds the encoder settings Options change.
type config struct {
	bitrate    int
	complexity int
	fec        bool
	dtx        bool
	loss       int
}

// Option configures an Encoder.
type Option func(*config) error

// WithBitrate sets the target bit rate in bit/s (6000..510000; default
// 32000).
func WithBitrate(bps int) Option {
	return func(c *config) error {
		if bps < minBitrate || bps > maxBitrate {
			return fmt.Errorf("bitrate %d bit/s outside %d..%d: %w", bps, minBitrate, maxBitrate, ErrInvalid)
		}
		c.bitrate = bps
		return nil
	}
}

// WithComplexity sets the encoder's computational complexity, 0 (cheapest)
// to 10 (best quality); default 5.
func WithComplexity(n int) Option {
	return func(c *config) error {
		if n < 0 || n > 10 {
			return fmt.Errorf("complexity %d outside 0..10: %w", n, ErrInvalid)
		}
		c.complexity = n
		return nil
	}
}

// WithFEC turns in-band forward error correction on or off (default on):
// each packet then also carries a low bit-rate copy of the previous frame,
// from which the receiver rebuilds a lost packet.
func WithFEC(on bool) Option {
	return func(c *config) error { c.fec = on; return nil }
}

// WithDTX turns discontinuous transmission on or off (default on): during
// silence the encoder emits packets of at most 2 bytes, which need not be
// sent (RFC 7587 §3.1.3).
func WithDTX(on bool) Option {
	return func(c *config) error { c.dtx = on; return nil }
}

// WithPacketLoss sets the expected packet loss in percent (0..100; default
// 10), which tunes how much FEC the encoder adds.
func WithPacketLoss(pct int) Option {
	return func(c *config) error {
		if pct < 0 || pct > 100 {
			return fmt.Errorf("packet loss %d%% outside 0..100: %w", pct, ErrInvalid)
		}
		c.loss = pct
		return nil
	}
}

// Encoder encodes 48 kHz mono PCM into Opus packets. It implements
// codec.Encoder. Use it from one goroutine at a time.
type Encoder struct {
	st      *C.OpusEncoder
	cleanup runtime.Cleanup
	cfg     config
}

// NewEncoder returns an Encoder in VoIP mode with the given options.
func NewEncoder(opts ...Option) (*Encoder, error) {
	cfg := config{bitrate: 32000, complexity: 5, fec: true, dtx: true, loss: 10}
	for _, o := range opts {
		if err := o(&cfg); err != nil {
			return nil, fmt.Errorf("new encoder: %w", err)
		}
	}
	mem := C.malloc(C.size_t(C.opus_encoder_get_size(1)))
	if mem == nil {
		return nil, fmt.Errorf("new encoder: out of memory: %w", ErrLibopus)
	}
	st := (*C.OpusEncoder)(mem)
	if rc := C.opus_encoder_init(st, SampleRate, 1, C.OPUS_APPLICATION_VOIP); rc != C.OPUS_OK {
		C.free(mem)
		return nil, libopusError("new encoder", rc)
	}
	e := &Encoder{st: st, cfg: cfg}
	e.cleanup = runtime.AddCleanup(e, func(p unsafe.Pointer) { C.free(p) }, mem)
	b2i := func(b bool) int {
		if b {
			return 1
		}
		return 0
	}
	for _, s := range []struct {
		name string
		req  C.int
		v    int
	}{
		{"bitrate", C.OPUS_SET_BITRATE_REQUEST, cfg.bitrate},
		{"complexity", C.OPUS_SET_COMPLEXITY_REQUEST, cfg.complexity},
		{"inband FEC", C.OPUS_SET_INBAND_FEC_REQUEST, b2i(cfg.fec)},
		{"DTX", C.OPUS_SET_DTX_REQUEST, b2i(cfg.dtx)},
		{"packet loss", C.OPUS_SET_PACKET_LOSS_PERC_REQUEST, cfg.loss},
		{"signal", C.OPUS_SET_SIGNAL_REQUEST, C.OPUS_SIGNAL_VOICE},
	} {
		if rc := C.pl_enc_set(st, s.req, C.opus_int32(s.v)); rc != C.OPUS_OK {
			e.Close()
			return nil, libopusError("new encoder: set "+s.name, rc)
		}
	}
	return e, nil
}

// Bitrate returns the bit rate libopus is set to, in bit/s.
func (e *Encoder) Bitrate() int { return e.cfg.bitrate }

// FEC reports whether in-band FEC is on.
func (e *Encoder) FEC() bool { return e.cfg.fec }

// DTX reports whether discontinuous transmission is on.
func (e *Encoder) DTX() bool { return e.cfg.dtx }

// SetPacketLoss changes the expected packet loss in percent (0..100), for
// instance from RTCP receiver reports; libopus adapts its FEC to it.
func (e *Encoder) SetPacketLoss(pct int) error {
	if e.st == nil {
		return ErrClosed
	}
	if pct < 0 || pct > 100 {
		return fmt.Errorf("packet loss %d%% outside 0..100: %w", pct, ErrInvalid)
	}
	if rc := C.pl_enc_set(e.st, C.OPUS_SET_PACKET_LOSS_PERC_REQUEST, C.opus_int32(pct)); rc != C.OPUS_OK {
		return libopusError("set packet loss", rc)
	}
	e.cfg.loss = pct
	return nil
}

// EncodeFrame encodes one frame of pcm (2.5 to 60 ms at 48 kHz; Pitchline
// sends 20 ms, FrameSamples) into dst and returns the packet's length. A
// length of 1 or 2 is a DTX packet that need not be sent. dst should hold
// MaxPayload bytes. It never allocates, except to build an error.
func (e *Encoder) EncodeFrame(dst []byte, pcm []int16) (int, error) {
	if e.st == nil {
		return 0, ErrClosed
	}
	if !validFrame(len(pcm)) {
		return 0, fmt.Errorf("encode: %d samples is not an Opus frame at 48 kHz: %w", len(pcm), ErrInvalid)
	}
	if len(dst) == 0 {
		return 0, fmt.Errorf("encode: empty destination: %w", ErrBufferTooSmall)
	}
	n := C.opus_encode(e.st, (*C.opus_int16)(unsafe.Pointer(&pcm[0])), C.int(len(pcm)),
		(*C.uchar)(unsafe.Pointer(&dst[0])), C.opus_int32(min(len(dst), 1<<30)))
	if n < 0 {
		return 0, libopusError("encode", n)
	}
	return int(n), nil
}

// Encode implements codec.Encoder: EncodeFrame, returning 0 on error.
func (e *Encoder) Encode(dst []byte, pcm []int16) int {
	n, err := e.EncodeFrame(dst, pcm)
	if err != nil {
		return 0
	}
	return n
}

// Close frees the libopus state. Later calls fail with ErrClosed.
func (e *Encoder) Close() error {
	if e.st != nil {
		e.cleanup.Stop()
		C.free(unsafe.Pointer(e.st))
		e.st = nil
	}
	return nil
}

// Decoder decodes Opus packets into 48 kHz mono PCM. It implements
// codec.Decoder and codec.Concealer. Use it from one goroutine at a time.
type Decoder struct {
	st      *C.OpusDecoder
	cleanup runtime.Cleanup
	last    int // samples of the last decoded frame, for concealment
}

// NewDecoder returns a Decoder producing 48 kHz mono PCM.
func NewDecoder() (*Decoder, error) {
	mem := C.malloc(C.size_t(C.opus_decoder_get_size(1)))
	if mem == nil {
		return nil, fmt.Errorf("new decoder: out of memory: %w", ErrLibopus)
	}
	st := (*C.OpusDecoder)(mem)
	if rc := C.opus_decoder_init(st, SampleRate, 1); rc != C.OPUS_OK {
		C.free(mem)
		return nil, libopusError("new decoder", rc)
	}
	d := &Decoder{st: st, last: FrameSamples}
	d.cleanup = runtime.AddCleanup(d, func(p unsafe.Pointer) { C.free(p) }, mem)
	return d, nil
}

// DecodeFrame decodes payload into dst and returns the number of samples
// written. An empty payload conceals one lost frame (as Conceal with no
// next packet). dst must hold the packet's duration (MaxFrameSamples
// always suffices). It never allocates, except to build an error.
func (d *Decoder) DecodeFrame(dst []int16, payload []byte) (int, error) {
	if d.st == nil {
		return 0, ErrClosed
	}
	if len(payload) == 0 {
		return d.ConcealFrame(dst, nil)
	}
	if len(dst) == 0 {
		return 0, fmt.Errorf("decode: empty destination: %w", ErrBufferTooSmall)
	}
	n := C.opus_decode(d.st, (*C.uchar)(unsafe.Pointer(&payload[0])), C.opus_int32(min(len(payload), 1<<30)),
		(*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(min(len(dst), MaxFrameSamples)), 0)
	if n < 0 {
		return 0, libopusError("decode", n)
	}
	d.last = int(n)
	return int(n), nil
}

// Decode implements codec.Decoder: DecodeFrame, returning 0 on error.
func (d *Decoder) Decode(dst []int16, payload []byte) int {
	n, err := d.DecodeFrame(dst, payload)
	if err != nil {
		return 0
	}
	return n
}

// ConcealFrame fills dst with audio for one lost packet and returns the
// number of samples written: len(dst) rounded down to a multiple of 2.5 ms
// (or, for an empty dst, nothing). When next, the packet that follows the
// loss, carries FEC data (in-band FEC, RFC 6716 §2.1.7), the lost audio is
// rebuilt from it; otherwise libopus's packet-loss concealment extrapolates
// it. Decode next itself afterwards as usual.
func (d *Decoder) ConcealFrame(dst []int16, next []byte) (int, error) {
	if d.st == nil {
		return 0, ErrClosed
	}
	n := len(dst) / 120 * 120
	if n == 0 {
		return 0, fmt.Errorf("conceal: %d samples is shorter than 2.5 ms: %w", len(dst), ErrBufferTooSmall)
	}
	n = min(n, MaxFrameSamples)
	var (
		data *C.uchar
		size C.opus_int32
		fec  C.int
	)
	if len(next) > 0 {
		data, size, fec = (*C.uchar)(unsafe.Pointer(&next[0])), C.opus_int32(min(len(next), 1<<30)), 1
	}
	got := C.opus_decode(d.st, data, size, (*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(n), fec)
	if got < 0 && fec == 1 {
		// A corrupt next packet: conceal without it.
		got = C.opus_decode(d.st, nil, 0, (*C.opus_int16)(unsafe.Pointer(&dst[0])), C.int(n), 0)
	}
	if got < 0 {
		return 0, libopusError("conceal", got)
	}
	return int(got), nil
}

// Conceal implements codec.Concealer: ConcealFrame, returning 0 on error.
func (d *Decoder) Conceal(dst []int16, next []byte) int {
	n, err := d.ConcealFrame(dst, next)
	if err != nil {
		return 0
	}
	return n
}

// Close frees the libopus state. Later calls fail with ErrClosed.
func (d *Decoder) Close() error {
	if d.st != nil {
		d.cleanup.Stop()
		C.free(unsafe.Pointer(d.st))
		d.st = nil
	}
	return nil
}
