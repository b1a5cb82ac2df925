package codec

// G.711 µ-law and A-law, ITU-T G.711 (https://www.itu.int/rec/T-REC-G.711).
//
// The tables are generated once at init from the classic reference
// algorithm (Sun Microsystems' public-domain g711.c, the one used by sox,
// Asterisk and FreeSWITCH). Encoding indexes a table by the top 14 (µ-law)
// or 13 (A-law) bits of the sample, decoding by the code word; neither
// allocates.

var (
	ulawDecode [256]int16
	alawDecode [256]int16
	ulawEncode [1 << 14]byte // indexed by uint16(sample) >> 2
	alawEncode [1 << 13]byte // indexed by uint16(sample) >> 3
)

const (
	signBit   = 0x80
	quantMask = 0x0f
	segShift  = 4
	segMask   = 0x70
	ulawBias  = 0x84
	ulawClip  = 8159
)

var (
	segAEnd = [8]int{0x1F, 0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF}
	segUEnd = [8]int{0x3F, 0x7F, 0xFF, 0x1FF, 0x3FF, 0x7FF, 0xFFF, 0x1FFF}
)

func search(v int, table *[8]int) int {
	for i, e := range table {
		if v <= e {
			return i
		}
	}
	return len(table)
}

// linearToULaw is the reference µ-law encoder (G.711 Table 2a).
func linearToULaw(sample int16) byte {
	v := int(sample) >> 2
	mask := 0xFF
	if v < 0 {
		v = -v
		mask = 0x7F
	}
	if v > ulawClip {
		v = ulawClip
	}
	v += ulawBias >> 2
	seg := search(v, &segUEnd)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	u := (seg << 4) | ((v >> (seg + 1)) & 0xF)
	return byte(u ^ mask)
}

// uLawToLinear is the reference µ-law decoder.
func uLawToLinear(u byte) int16 {
	u = ^u
	t := (int(u&quantMask) << 3) + ulawBias
	t <<= (u & segMask) >> segShift
	if u&signBit != 0 {
		return int16(ulawBias - t)
	}
	return int16(t - ulawBias)
}

// linearToALaw is the reference A-law encoder (G.711 Table 1a).
func linearToALaw(sample int16) byte {
	v := int(sample) >> 3
	mask := 0xD5
	if v < 0 {
		mask = 0x55
		v = -v - 1
	}
	seg := search(v, &segAEnd)
	if seg >= 8 {
		return byte(0x7F ^ mask)
	}
	a := seg << segShift
	if seg < 2 {
		a |= (v >> 1) & quantMask
	} else {
		a |= (v >> seg) & quantMask
	}
	return byte(a ^ mask)
}

// aLawToLinear is the reference A-law decoder.
func aLawToLinear(a byte) int16 {
	a ^= 0x55
	t := int(a&quantMask) << 4
	seg := int(a&segMask) >> segShift
	switch seg {
	case 0:
		t += 8
	case 1:
		t += 0x108
	default:
		t += 0x108
		t <<= seg - 1
	}
	if a&signBit != 0 {
		return int16(t)
	}
	return int16(-t)
}

func init() {
	for i := 0; i < 256; i++ {
		ulawDecode[i] = uLawToLinear(byte(i))
		alawDecode[i] = aLawToLinear(byte(i))
	}
	for i := range ulawEncode {
		ulawEncode[i] = linearToULaw(int16(uint16(i << 2)))
	}
	for i := range alawEncode {
		alawEncode[i] = linearToALaw(int16(uint16(i << 3)))
	}
}

// ULawEncode returns the G.711 µ-law code word for one linear sample.
func ULawEncode(s int16) byte { return ulawEncode[uint16(s)>>2] }

// ULawDecode returns the linear sample for one G.711 µ-law code word.
func ULawDecode(u byte) int16 { return ulawDecode[u] }

// ALawEncode returns the G.711 A-law code word for one linear sample.
func ALawEncode(s int16) byte { return alawEncode[uint16(s)>>3] }

// ALawDecode returns the linear sample for one G.711 A-law code word.
func ALawDecode(a byte) int16 { return alawDecode[a] }

// PCMU is the stateless G.711 µ-law Encoder and Decoder. One byte per
// sample.
type PCMU struct{}

// Encode implements Encoder. It encodes min(len(dst), len(pcm)) samples
// and returns that count.
func (PCMU) Encode(dst []byte, pcm []int16) int {
	n := min(len(dst), len(pcm))
	dst, pcm = dst[:n], pcm[:n]
	for i, s := range pcm {
		dst[i] = ulawEncode[uint16(s)>>2]
	}
	return n
}

// Decode implements Decoder. It decodes min(len(dst), len(payload)) code
// words and returns that count.
func (PCMU) Decode(dst []int16, payload []byte) int {
	n := min(len(dst), len(payload))
	dst, payload = dst[:n], payload[:n]
	for i, u := range payload {
		dst[i] = ulawDecode[u]
	}
	return n
}

// PCMA is the stateless G.711 A-law Encoder and Decoder. One byte per
// sample.
type PCMA struct{}

// Encode implements Encoder. It encodes min(len(dst), len(pcm)) samples
// and returns that count.
func (PCMA) Encode(dst []byte, pcm []int16) int {
	n := min(len(dst), len(pcm))
	dst, pcm = dst[:n], pcm[:n]
	for i, s := range pcm {
		dst[i] = alawEncode[uint16(s)>>3]
	}
	return n
}

// Decode implements Decoder. It decodes min(len(dst), len(payload)) code
// words and returns that count.
func (PCMA) Decode(dst []int16, payload []byte) int {
	n := min(len(dst), len(payload))
	dst, payload = dst[:n], payload[:n]
	for i, a := range payload {
		dst[i] = alawDecode[a]
	}
	return n
}
