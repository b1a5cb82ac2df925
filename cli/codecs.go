package cli

// Opus (libopus through cgo) registers itself in audio/codec's registry, so
// the engine, which stays cgo-free, offers it first on every call this
// command line makes (media.DefaultCodecs).
import _ "github.com/pitchline/pitchline/audio/codec/opus"
