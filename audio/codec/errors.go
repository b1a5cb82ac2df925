package codec

import "errors"

// ErrUnknownCodec is returned by Lookup and LookupPayloadType when no codec
// with that name or payload type is registered.
var ErrUnknownCodec = errors.New("codec: unknown codec")

// ErrDuplicate is returned by Register when a codec of the same name or
// static payload type is already registered.
var ErrDuplicate = errors.New("codec: codec already registered")

// ErrInvalid is returned by Register and NewPLC for malformed arguments.
var ErrInvalid = errors.New("codec: invalid argument")
